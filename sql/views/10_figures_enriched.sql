create or replace view figures_enriched as
select
    f.figure_id,
    f.doc_id,
    d.source_name,
    d.title,
    d.published_at,
    d.outlet,
    f.sentence_index,
    s.text as sentence,
    -- Cut from the sentence, not the document: substr counts characters from the start of the string.
    substr(s.text, greatest(f.char_start - s.char_start - 30, 0) + 1,
           least(f.char_start - s.char_start, 30) + (f.char_end - f.char_start) + 30) as context,
    f.surface,
    f.value,
    f.value_max,
    f.unit,
    f.kind,
    f.approx,
    f.direction,
    f.baseline,
    f.metric,
    f.metric_id,
    m.name as metric_name,
    m.name_en as metric_name_en,
    m.domain as metric_domain,
    f.org,
    o.org as org_canonical,
    o.org_type,
    o.level as org_level,
    o.place as org_place,
    f.period_text,
    f.period_start,
    f.period_end,
    f.period_type,
    period_year(f.period_start, f.period_end, f.period_text) as year,
    f.char_start,
    f.char_end,
    raw_offset(d.offset_map, f.char_start) as raw_char_start
from figures f
join documents d using (doc_id)
left join sentences s on s.doc_id = f.doc_id and s.sentence_index = f.sentence_index
left join metric_catalog m using (metric_id)
left join orgs o on o.name = f.org;
comment on view figures_enriched is 'Every figure with its document (source, title, date, outlet), its sentence, the figure with up to 30 characters either side in its sentence (context), its catalog metric (metric_id, metric_name), its organization''s type, level and place (orgs) and the year of its period; start here.';
comment on column figures_enriched.context is 'The figure with up to 30 characters of normalized text either side, within its sentence.';
comment on column figures_enriched.metric_name is 'Canonical Chinese name of the catalog metric (metric_catalog.name); null when the label maps to none.';
comment on column figures_enriched.metric_domain is 'court, procuratorate, police, justice or general (metric_catalog.domain).';
comment on column figures_enriched.year is 'Year of the period: period_end, else period_start, else a year written in period_text (macro period_year).';
comment on column figures_enriched.raw_char_start is 'Offset of the figure in documents.raw_text (the text before normalization).';
comment on column figures_enriched.org_canonical is 'Canonical full name of the organization (orgs.org), when orgs knows figures.org.';
comment on column figures_enriched.org_type is 'court, procuratorate, police, justice, committee … (orgs.org_type).';
comment on column figures_enriched.figure_id is 'As figures.figure_id: Stable key: the same figure of the same document has the same id on every run.';
comment on column figures_enriched.doc_id is 'As figures.doc_id: The document (documents.doc_id).';
comment on column figures_enriched.source_name is 'As documents.source_name: Path of the file below the input folder, e.g. 000_bda1f0a19c388d12.txt.';
comment on column figures_enriched.title is 'As documents.title: Headline read from the first lines, when one is there.';
comment on column figures_enriched.published_at is 'As documents.published_at: Publication date and time from a 时间:/发布时间:/日期 line, when given.';
comment on column figures_enriched.outlet is 'As documents.outlet: Outlet named on a 来源: line.';
comment on column figures_enriched.sentence_index is 'As figures.sentence_index: The sentence the figure is in (sentences.sentence_index).';
comment on column figures_enriched.sentence is 'Text of the figure''s sentence (sentences.text).';
comment on column figures_enriched.surface is 'As figures.surface: The exact text of the figure: number, multiplier, approximation word and unit (documents.text[char_start:char_end]).';
comment on column figures_enriched.value is 'As figures.value: The number in the canonical unit: 12.08亿元 -> 1208000000, 95.74% -> 95.74, 三分之一 -> 33.333.';
comment on column figures_enriched.value_max is 'As figures.value_max: Upper end of a range (10至20件 -> 20); null otherwise.';
comment on column figures_enriched.unit is 'As figures.unit: Canonical unit: a classifier (件 人 …), 元 or another currency, %, pp (percentage points), 倍, a duration unit (天 年 …), ratio, rank, or a measure (亩 平方米 …).';
comment on column figures_enriched.kind is 'As figures.kind: count, amount, rate, change, duration, ratio, rank or measure.';
comment on column figures_enriched.approx is 'As figures.approx: exact; over (余 多 以上 超过 逾); under (近 不到 不足 以下 以内); about (约 左右).';
comment on column figures_enriched.direction is 'As figures.direction: For kind = change only: up or down.';
comment on column figures_enriched.baseline is 'As figures.baseline: What a change is measured against: 同比, 环比, 较改革前, 比全省平均值 ….';
comment on column figures_enriched.metric is 'As figures.metric: Short label of what is measured, as written (结案率, 受理执行案件).';
comment on column figures_enriched.metric_id is 'As figures.metric_id: The metric_catalog metric the label maps to (synonym, then head-of-label match; rule in fazhi/catalog.py); null when none fits.';
comment on column figures_enriched.metric_name_en is 'English name of the catalog metric (metric_catalog.name_en); null when the label maps to none.';
comment on column figures_enriched.org is 'As figures.org: Organization the figure is reported for, in the fullest name the text supports.';
comment on column figures_enriched.org_level is 'national, provincial, prefectural, county, township, or multi for collectives (orgs.level).';
comment on column figures_enriched.org_place is 'The most specific place in the organization''s name (orgs.place).';
comment on column figures_enriched.period_text is 'As figures.period_text: The time expression the figure belongs to, as written (2020年, 1至9月份, 截至9月底).';
comment on column figures_enriched.period_start is 'As figures.period_start: First day of the period (inclusive), when the year is known.';
comment on column figures_enriched.period_end is 'As figures.period_end: Last day of the period (inclusive), when the year is known.';
comment on column figures_enriched.period_type is 'As figures.period_type: year, year_range (过去五年, 2018年至2022年), fiscal_year (2023/24年度), quarter, month_range, year_to_date, as_of, since, or day (a report dated by the day it reports).';
comment on column figures_enriched.char_start is 'As figures.char_start: Offset of surface in documents.text (0-based).';
comment on column figures_enriched.char_end is 'As figures.char_end: Offset just past surface in documents.text.';
