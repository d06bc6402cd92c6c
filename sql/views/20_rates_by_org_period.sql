create or replace view rates_by_org_period as
select
    f.org,
    any_value(o.org_type) as org_type,
    period_year(f.period_start, f.period_end, f.period_text) as year,
    f.period_text,
    f.metric_id,
    coalesce(any_value(m.name), any_value(f.metric)) as metric,
    list(distinct f.metric order by f.metric) as labels,
    arg_min(f.value, d.source_name || lpad(f.char_start::varchar, 10, '0')) as value,
    arg_min(f.approx, d.source_name || lpad(f.char_start::varchar, 10, '0')) as approx,
    min(f.value) = max(f.value) as values_agree,
    min(f.value) as value_low,
    max(f.value) as value_high,
    count(*) as mentions,
    count(distinct f.doc_id) as documents,
    list(distinct d.source_name order by d.source_name) as sources,
    list(f.figure_id order by d.source_name, f.char_start) as figure_ids
from figures f
join documents d using (doc_id)
left join metric_catalog m using (metric_id)
left join orgs o on o.name = f.org
where f.kind = 'rate' and f.unit = '%' and coalesce(f.metric_id, f.metric) is not null
group by f.org, year, f.period_text, f.metric_id, case when f.metric_id is null then f.metric end;
comment on view rates_by_org_period is 'Rates (kind rate, in %) by organization, period and metric: one row per org, period and catalog metric (or label, where none maps), however many times reports repeat it; value is the first mention.';
comment on column rates_by_org_period.metric is 'Canonical name of the catalog metric, or the label as written when it maps to none.';
comment on column rates_by_org_period.labels is 'The labels the reports wrote for this rate.';
comment on column rates_by_org_period.value is 'The rate in % at its first mention (by source_name, then position).';
comment on column rates_by_org_period.values_agree is 'False when the mentions give different values (look at value_low and value_high).';
comment on column rates_by_org_period.mentions is 'How many figures were merged into this row.';
comment on column rates_by_org_period.figure_ids is 'The figures merged, to join back to figures or figures_enriched.';
comment on column rates_by_org_period.org is 'As figures.org: Organization the figure is reported for, in the fullest name the text supports.';
comment on column rates_by_org_period.org_type is 'As orgs.org_type: court, procuratorate, police, justice, committee (政法委 and the political-legal system as a whole), anticorruption, or place (a place reported as a whole); null when unknown.';
comment on column rates_by_org_period.year is 'Year of the period: period_end, else period_start, else a year written in period_text (macro period_year).';
comment on column rates_by_org_period.period_text is 'As figures.period_text: The time expression the figure belongs to, as written (2020年, 1至9月份, 截至9月底).';
comment on column rates_by_org_period.metric_id is 'As figures.metric_id: The metric_catalog metric the label maps to (synonym, then head-of-label match; rule in fazhi/catalog.py); null when none fits.';
comment on column rates_by_org_period.approx is 'As figures.approx: exact; over (余 多 以上 超过 逾); under (近 不到 不足 以下 以内); about (约 左右).';
comment on column rates_by_org_period.value_low is 'As figures.value_low: Lowest value the approximation allows, where modelled (670余万元 -> 6700000).';
comment on column rates_by_org_period.value_high is 'As figures.value_high: Highest value the approximation allows, where modelled (670余万元 -> 6800000).';
comment on column rates_by_org_period.documents is 'Distinct documents among the mentions.';
comment on column rates_by_org_period.sources is 'source_name of those documents, sorted.';
