create or replace view figures_enriched as
select
    f.figure_id,
    f.doc_id,
    d.source_name,
    d.title,
    d.published_at,
    d.outlet,
    f.sentence_index,
    f.sentence,
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
