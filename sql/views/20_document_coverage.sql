create or replace view document_coverage as
with sentence_stats as (
    select
        s.doc_id,
        count(*) as sentences,
        count(*) filter (where fs.sentence_index is not null) as sentences_with_figures,
        -- Digits left once dates and times are taken out: a number the extractor may have missed.
        count(*) filter (where fs.sentence_index is null and regexp_matches(
            regexp_replace(s.text, '(?:19|20)\d{2}\s*年|\d{1,2}\s*月份?|\d{1,2}\s*[日号]|\d{1,2}:\d{2}(?::\d{2})?|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}', '', 'g'),
            '\d')) as digit_sentences_without_figure
    from sentences s
    left join (select distinct doc_id, sentence_index from figures) fs
      on fs.doc_id = s.doc_id and fs.sentence_index = s.sentence_index
    group by s.doc_id
),
figure_stats as (
    select f.doc_id, count(*) as figures, count(distinct i.figure_id) as flagged, count(f.metric_id) as with_metric_id
    from figures f
    left join (select distinct doc_id, figure_id from figure_issues) i
      on i.doc_id = f.doc_id and i.figure_id = f.figure_id
    group by f.doc_id
)
select
    d.doc_id,
    d.source_name,
    d.title,
    coalesce(ss.sentences, 0) as sentences,
    coalesce(fs.figures, 0) as figures,
    coalesce(fs.flagged, 0) as flagged,
    coalesce(fs.with_metric_id, 0) as figures_with_metric_id,
    coalesce(ss.sentences_with_figures, 0) as sentences_with_figures,
    coalesce(ss.digit_sentences_without_figure, 0) as digit_sentences_without_figure,
    round(coalesce(fs.figures, 0) * 1000.0 / nullif(d.n_chars, 0), 2) as figures_per_1000_chars
from documents d
left join sentence_stats ss using (doc_id)
left join figure_stats fs using (doc_id);
comment on view document_coverage is 'Per document: figures found, figures flagged by data quality (figure_issues), figures mapped to the metric catalog, and sentences that still hold digits (dates and times aside) but no figure, where misses hide.';
comment on column document_coverage.flagged is 'Figures of the document with at least one row in figure_issues.';
comment on column document_coverage.figures_with_metric_id is 'Figures whose label maps to a metric_catalog metric.';
comment on column document_coverage.digit_sentences_without_figure is 'Sentences with an Arabic digit left after removing dates and times (2020年, 9月, 5日, 08:22, 2023-03-28) that have no figure: likely misses.';
comment on column document_coverage.figures_per_1000_chars is 'Figures per 1000 characters of normalized text.';
comment on column document_coverage.doc_id is 'As documents.doc_id: Hash of the file''s raw bytes (16 hex digits); an unchanged file keeps its id.';
comment on column document_coverage.source_name is 'As documents.source_name: Path of the file below the input folder, e.g. 000_bda1f0a19c388d12.txt.';
comment on column document_coverage.title is 'As documents.title: Headline read from the first lines, when one is there.';
comment on column document_coverage.sentences is 'Sentences the document was split into (rows in sentences).';
comment on column document_coverage.figures is 'Figures extracted from the document (rows in figures).';
comment on column document_coverage.sentences_with_figures is 'Sentences holding at least one figure.';
