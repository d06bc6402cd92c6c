-- The rows the documents suite validates: one per document, without its (long) texts but with their lengths
-- and the number of figures actually stored for it.
--   text_length          length of the normalized text
--   text_length_trimmed  length of the normalized text without surrounding whitespace
--   figures_stored       rows of figures with this doc_id
select
    d.doc_id, d.source_name, d.encoding, d.script, d.published_at, d.n_chars, d.n_figures,
    length(d.text) as text_length,
    length(trim(coalesce(d.text, ''))) as text_length_trimmed,
    coalesce(f.figures_stored, 0) as figures_stored
from documents d
left join (select doc_id, count(*) as figures_stored from figures group by doc_id) f on f.doc_id = d.doc_id
order by d.doc_id
