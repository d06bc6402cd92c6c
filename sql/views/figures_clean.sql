-- Figures that passed every expectation of the figures suite: the table figures less those in figure_issues, and
-- only of documents a completed validation has seen (a run killed while validating leaves figure_issues empty for
-- its documents: their figures wait here until the next run, which validates every row, or `fazhi validate`).
create or replace view figures_clean as
select f.*
from figures f
where not exists (
    select 1 from figure_issues i where i.doc_id = f.doc_id and i.figure_id = f.figure_id
)
and exists (
    select 1
    from documents d
    join runs r on r.run_id = d.run_id
    join dq_results q on q.run_id = r.run_id or q.validated_at >= r.started_at
    where d.doc_id = f.doc_id
);
comment on view figures_clean is 'The figures with no row in figure_issues, of documents a completed validation has checked: what analysts should query when they want only figures that passed data quality. Flagged figures stay in figures; figures of a run whose validation did not complete appear once a later validation has checked them.';
comment on column figures_clean.doc_id is 'As figures.doc_id: The document (documents.doc_id).';
comment on column figures_clean.figure_id is 'As figures.figure_id: Stable key: the same figure of the same document has the same id on every run.';
comment on column figures_clean.surface is 'As figures.surface: The exact text of the figure: number, multiplier, approximation word and unit (documents.text[char_start:char_end]).';
comment on column figures_clean.char_start is 'As figures.char_start: Offset of surface in documents.text (0-based).';
comment on column figures_clean.char_end is 'As figures.char_end: Offset just past surface in documents.text.';
comment on column figures_clean.value is 'As figures.value: The number in the canonical unit: 12.08亿元 -> 1208000000, 95.74% -> 95.74, 三分之一 -> 33.333.';
comment on column figures_clean.value_max is 'As figures.value_max: Upper end of a range (10至20件 -> 20); null otherwise.';
comment on column figures_clean.unit is 'As figures.unit: Canonical unit: a classifier (件 人 …), 元 or another currency, %, pp (percentage points), 倍, a duration unit (天 年 …), ratio, rank, or a measure (亩 平方米 …).';
comment on column figures_clean.kind is 'As figures.kind: count, amount, rate, change, duration, ratio, rank or measure.';
comment on column figures_clean.approx is 'As figures.approx: exact; over (余 多 以上 超过 逾); under (近 不到 不足 以下 以内); about (约 左右).';
comment on column figures_clean.direction is 'As figures.direction: For kind = change only: up or down.';
comment on column figures_clean.metric is 'As figures.metric: Short label of what is measured, as written (结案率, 受理执行案件).';
comment on column figures_clean.org is 'As figures.org: Organization the figure is reported for, in the fullest name the text supports.';
comment on column figures_clean.period_text is 'As figures.period_text: The time expression the figure belongs to, as written (2020年, 1至9月份, 截至9月底).';
comment on column figures_clean.period_start is 'As figures.period_start: First day of the period (inclusive), when the year is known.';
comment on column figures_clean.period_end is 'As figures.period_end: Last day of the period (inclusive), when the year is known.';
comment on column figures_clean.period_type is 'As figures.period_type: year, year_range (过去五年, 2018年至2022年), fiscal_year (2023/24年度), quarter, month_range, year_to_date, as_of, since, or day (a report dated by the day it reports).';
comment on column figures_clean.baseline is 'As figures.baseline: What a change is measured against: 同比, 环比, 较改革前, 比全省平均值 ….';
comment on column figures_clean.precision is 'As figures.precision: Decimals as written (95.74% -> 2).';
comment on column figures_clean.value_low is 'As figures.value_low: Lowest value the approximation allows, where modelled (670余万元 -> 6700000).';
comment on column figures_clean.value_high is 'As figures.value_high: Highest value the approximation allows, where modelled (670余万元 -> 6800000).';
comment on column figures_clean.sentence_index is 'As figures.sentence_index: The sentence the figure is in (sentences.sentence_index; its text is sentences.text).';
comment on column figures_clean.rule is 'As figures.rule: Which extraction rule produced the figure.';
comment on column figures_clean.metric_id is 'As figures.metric_id: The metric_catalog metric the label maps to (synonym, then head-of-label match; rule in fazhi/catalog.py); null when none fits.';
comment on column figures_clean.context_rule is 'As figures.context_rule: Which scope strategy set org and period, as "org:<rule> period:<rule>" (clause, sentence, paragraph, section heading or opening, document headline, opening, byline or issuer; table_header for table cells): the rule to look at when a figure has the wrong org or period.';
comment on column figures_clean.table_index is 'As figures.table_index: For a table cell: the table''s number in its document (0-based); null for figures in prose.';
comment on column figures_clean.table_row is 'As figures.table_row: For a table cell: its row in the table (0-based, header rows counted).';
comment on column figures_clean.table_column is 'As figures.table_column: For a table cell: its value column (0-based, the row label not counted).';
comment on column figures_clean.row_label is 'As figures.row_label: For a table cell: the label of its row as written (footnote marks removed).';
comment on column figures_clean.column_header is 'As figures.column_header: For a table cell: the period header over its column, where the columns are periods.';
comment on column figures_clean.sum_of_parts is 'As figures.sum_of_parts: For a table cell in a row the table calls a total (小计, 合计, 总计, 总数): the sum of the cells above it in its group and column. Data quality flags a total that differs; the value is never changed.';
