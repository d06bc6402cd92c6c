-- The calendar year a figure belongs to: its resolved period's end (or start), else a year written in its period text.
create or replace macro period_year(period_start, period_end, period_text) as (
    coalesce(year(period_end::date), year(period_start::date),
             try_cast(regexp_extract(period_text::varchar, '((?:19|20)\d{2})年', 1) as integer))
);
