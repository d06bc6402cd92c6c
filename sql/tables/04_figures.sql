create table if not exists figures (
    doc_id          varchar not null,
    figure_id       varchar not null,
    surface         varchar not null,
    char_start      integer not null,
    char_end        integer not null,
    value           double,
    value_max       double,
    unit            varchar,
    kind            varchar,
    approx          varchar,
    direction       varchar,
    metric          varchar,
    org             varchar,
    period_text     varchar,
    period_start    date,
    period_end      date,
    period_type     varchar,
    baseline        varchar,
    precision       integer,
    value_low       double,
    value_high      double,
    sentence_index  integer,
    rule            varchar,
    metric_id       varchar,
    context_rule    varchar,
    table_index     integer,
    table_row       integer,
    table_column    integer,
    row_label       varchar,
    column_header   varchar,
    sum_of_parts    double
);
-- Warehouses created before these columns existed get them too.
alter table figures add column if not exists metric_id varchar;
alter table figures add column if not exists context_rule varchar;
alter table figures add column if not exists table_index integer;
alter table figures add column if not exists table_row integer;
alter table figures add column if not exists table_column integer;
alter table figures add column if not exists row_label varchar;
alter table figures add column if not exists column_header varchar;
alter table figures add column if not exists sum_of_parts double;
-- A figure's sentence is sentences.text: a copy per figure was the sentence's length times its figures.
alter table figures drop column if exists sentence;
comment on table figures is 'One row per figure (a number that measures something) in a report, per docs/figures.md.';
comment on column figures.doc_id is 'The document (documents.doc_id).';
comment on column figures.figure_id is 'Stable key: the same figure of the same document has the same id on every run.';
comment on column figures.surface is 'The exact text of the figure: number, multiplier, approximation word and unit (documents.text[char_start:char_end]).';
comment on column figures.char_start is 'Offset of surface in documents.text (0-based).';
comment on column figures.char_end is 'Offset just past surface in documents.text.';
comment on column figures.value is 'The number in the canonical unit: 12.08亿元 -> 1208000000, 95.74% -> 95.74, 三分之一 -> 33.333.';
comment on column figures.value_max is 'Upper end of a range (10至20件 -> 20); null otherwise.';
comment on column figures.unit is 'Canonical unit: a classifier (件 人 …), 元 or another currency, %, pp (percentage points), 倍, a duration unit (天 年 …), ratio, rank, or a measure (亩 平方米 …).';
comment on column figures.kind is 'count, amount, rate, change, duration, ratio, rank or measure.';
comment on column figures.approx is 'exact; over (余 多 以上 超过 逾); under (近 不到 不足 以下 以内); about (约 左右).';
comment on column figures.direction is 'For kind = change only: up or down.';
comment on column figures.metric is 'Short label of what is measured, as written (结案率, 受理执行案件).';
comment on column figures.org is 'Organization the figure is reported for, in the fullest name the text supports.';
comment on column figures.period_text is 'The time expression the figure belongs to, as written (2020年, 1至9月份, 截至9月底).';
comment on column figures.period_start is 'First day of the period (inclusive), when the year is known.';
comment on column figures.period_end is 'Last day of the period (inclusive), when the year is known.';
comment on column figures.period_type is 'year, year_range (过去五年, 2018年至2022年), fiscal_year (2023/24年度), quarter, month_range, year_to_date, as_of, since, or day (a report dated by the day of the event it reports: 11月5日,…召开).';
comment on column figures.baseline is 'What a change is measured against: 同比, 环比, 较改革前, 比全省平均值 ….';
comment on column figures.precision is 'Decimals as written (95.74% -> 2).';
comment on column figures.value_low is 'Lowest value the approximation allows, where modelled (670余万元 -> 6700000).';
comment on column figures.value_high is 'Highest value the approximation allows, where modelled (670余万元 -> 6800000).';
comment on column figures.sentence_index is 'The sentence the figure is in (sentences.sentence_index; its text is sentences.text).';
comment on column figures.rule is 'Which extraction rule produced the figure.';
comment on column figures.context_rule is 'Which scope strategy set org and period, as "org:<rule> period:<rule>" (clause, sentence, paragraph, section heading or opening, document headline, opening, byline or issuer; table_header for table cells): the rule to look at when a figure has the wrong org or period.';
comment on column figures.table_index is 'For a table cell: the table''s number in its document (0-based); null for figures in prose.';
comment on column figures.table_row is 'For a table cell: its row in the table (0-based, header rows counted).';
comment on column figures.table_column is 'For a table cell: its value column (0-based, the row label not counted).';
comment on column figures.row_label is 'For a table cell: the label of its row as written (footnote marks removed).';
comment on column figures.column_header is 'For a table cell: the period header over its column, where the columns are periods.';
comment on column figures.sum_of_parts is 'For a table cell in a row the table calls a total (小计, 合计, 总计, 总数): the sum of the cells above it in its group and column. Data quality flags a total that differs; the value is never changed.';
comment on column figures.metric_id is 'The metric_catalog metric the label maps to (synonym, then head-of-label match; rule in fazhi/catalog.py); null when none fits.';
