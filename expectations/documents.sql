-- The rows the documents suite validates: one per document, without its (long) texts but with their lengths
-- and the number of figures actually stored for it.
--   text_length          length of the normalized text
--   text_length_trimmed  length of the normalized text without surrounding whitespace
--   figures_stored       rows of figures with this doc_id
-- $doc_ids (null for all): the documents checked. A flow run checks those it loaded.
-- $warehouse_wide (ignored when $doc_ids is null): whether the warehouse-wide rows are checked here too: the documents
-- sharing a doc_id or a source_name with another, wherever they are. A validation in chunks of documents sets it
-- for its first chunk only; the other chunks then leave those rows out, so that no document is checked twice.
with flagged as (
    select d.doc_id, d.source_name,
           d.doc_id in (select doc_id from documents group by doc_id having count(*) > 1)
           or d.source_name in (select source_name from documents group by source_name having count(*) > 1)
               as warehouse_wide
    from documents d
),
scoped_ids as (
    select distinct doc_id from flagged
    where $doc_ids is null
       or ($warehouse_wide and warehouse_wide)
       or (doc_id in (select unnest($doc_ids)) and not warehouse_wide)
),
stored as (
    select doc_id, count(*) as figures_stored from figures
    where doc_id in (select doc_id from scoped_ids) group by doc_id
)
select
    d.doc_id, d.source_name, d.encoding, d.script, d.published_at, d.n_chars, d.n_figures,
    length(d.text) as text_length,
    length(trim(coalesce(d.text, ''))) as text_length_trimmed,
    coalesce(f.figures_stored, 0) as figures_stored
from documents d
left join stored f on f.doc_id = d.doc_id
where d.doc_id in (select doc_id from scoped_ids)
order by d.doc_id
