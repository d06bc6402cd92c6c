create or replace view changes_with_baseline as
with changes as (
    select * from figures where kind = 'change'
),
candidates as (
    -- A figure in brackets right before a change is the comparison point, not the level (比全省平均值(113.09天)少13.57天).
    select f.*
    from figures f
    join sentences s on s.doc_id = f.doc_id and s.sentence_index = f.sentence_index
    where substr(s.text, f.char_end - s.char_start + 1, 1) not in (')', ']', '】')
),
previous as (
    -- The level a change belongs to is the figure just before it in its sentence (结案率95.74%,同比提高1.88个百分点).
    select c.figure_id, l.figure_id as level_figure_id, l.surface as level_surface, l.value as level_value,
           l.unit as level_unit, l.kind as level_kind, l.metric_id as level_metric_id, l.metric as level_metric_label
    from changes c
    join candidates l
      on l.doc_id = c.doc_id and l.sentence_index = c.sentence_index and l.char_end <= c.char_start
    qualify row_number() over (partition by c.figure_id order by l.char_start desc) = 1
),
levels as (
    select p.*
    from previous p
    join changes c using (figure_id)
    where p.level_kind <> 'change'
      and (p.level_unit = c.unit or (c.unit = 'pp' and p.level_unit = '%')
           or (c.unit = '%' and p.level_kind in ('count', 'amount', 'duration', 'measure')))
      -- The same measure: one catalog metric, or the same label, or a change labelled only by its comparison.
      and (p.level_metric_id = c.metric_id
           or (c.metric_id is null and (c.metric is null or c.metric = p.level_metric_label or regexp_full_match(
               c.metric, '(同比|环比|较[^,;]*|相比[^,;]*|比[^,;]*)?(上升|下降|提高|提升|增长|增加|减少|降低|缩短|降幅|增幅|达|为|了)*'))))
)
select
    d.source_name,
    c.org,
    period_year(c.period_start, c.period_end, c.period_text) as year,
    c.period_text,
    c.metric_id,
    coalesce(m.name, c.metric) as metric,
    c.surface,
    c.value,
    c.unit,
    c.direction,
    case c.direction when 'down' then -c.value when 'up' then c.value end as signed_change,
    c.baseline,
    l.level_surface,
    l.level_value,
    l.level_unit,
    case
        when l.level_value is null or c.direction is null then null
        when c.unit = '%' and l.level_unit <> '%'
            then round(l.level_value / (1 + (case c.direction when 'down' then -c.value else c.value end) / 100), 2)
        when (c.unit = l.level_unit and c.unit <> '%') or (c.unit = 'pp' and l.level_unit = '%')
            then round(l.level_value - (case c.direction when 'down' then -c.value else c.value end), 4)
    end as baseline_value,
    s.text as sentence,
    c.figure_id,
    l.level_figure_id
from changes c
join documents d using (doc_id)
left join metric_catalog m on m.metric_id = c.metric_id
left join levels l on l.figure_id = c.figure_id
left join sentences s on s.doc_id = c.doc_id and s.sentence_index = c.sentence_index;
comment on view changes_with_baseline is 'Every change (同比上升2.1个百分点, 缩短65.2天, 下降12.9%) with its direction, what it is measured against (baseline), the level it belongs to and the value at the baseline that level and change imply.';
comment on column changes_with_baseline.signed_change is 'The change with its sign: negative when down.';
comment on column changes_with_baseline.baseline is 'What the change is measured against, as written: 同比, 环比, 较改革前, 比全省平均值 ….';
comment on column changes_with_baseline.level_surface is 'The level the change belongs to: the figure just before it in its sentence (brackets skipped), when its unit fits and it measures the same thing (one catalog metric, one label, or a change labelled only 同比上升 …) (结案率95.74%,同比提高1.88个百分点 -> 95.74%).';
comment on column changes_with_baseline.baseline_value is 'The value at the baseline: level minus change for pp on a % level or the same unit (天, 件), level / (1 + change/100) for a % change of a count, amount or duration; null for a % change of a % level (points or relative: reports use both).';
comment on column changes_with_baseline.level_figure_id is 'figure_id of the level figure.';
comment on column changes_with_baseline.source_name is 'As documents.source_name: Path of the file below the input folder, e.g. 000_bda1f0a19c388d12.txt.';
comment on column changes_with_baseline.org is 'As figures.org: Organization the figure is reported for, in the fullest name the text supports.';
comment on column changes_with_baseline.year is 'Year of the change''s period: period_end, else period_start, else a year written in period_text (macro period_year).';
comment on column changes_with_baseline.period_text is 'As figures.period_text: The time expression the figure belongs to, as written (2020年, 1至9月份, 截至9月底).';
comment on column changes_with_baseline.metric_id is 'As figures.metric_id: The metric_catalog metric the label maps to (synonym, then head-of-label match; rule in fazhi/catalog.py); null when none fits.';
comment on column changes_with_baseline.metric is 'As figures.metric: Short label of what is measured, as written (结案率, 受理执行案件).';
comment on column changes_with_baseline.surface is 'As figures.surface: The exact text of the figure: number, multiplier, approximation word and unit (documents.text[char_start:char_end]).';
comment on column changes_with_baseline.value is 'As figures.value: The number in the canonical unit: 12.08亿元 -> 1208000000, 95.74% -> 95.74, 三分之一 -> 33.333.';
comment on column changes_with_baseline.unit is 'As figures.unit: Canonical unit: a classifier (件 人 …), 元 or another currency, %, pp (percentage points), 倍, a duration unit (天 年 …), ratio, rank, or a measure (亩 平方米 …).';
comment on column changes_with_baseline.direction is 'As figures.direction: For kind = change only: up or down.';
comment on column changes_with_baseline.level_value is 'Value of the level figure (figures.value of level_figure_id); null when the change has no level in its sentence.';
comment on column changes_with_baseline.level_unit is 'Unit of the level figure (figures.unit of level_figure_id).';
comment on column changes_with_baseline.sentence is 'Text of the change''s sentence (sentences.text).';
comment on column changes_with_baseline.figure_id is 'As figures.figure_id: Stable key: the same figure of the same document has the same id on every run.';
