-- The rows the figures suite validates: every figure, plus columns computed from its document, because
-- Great Expectations checks one DataFrame at a time and some rules need the document's text.
--   document_found   true when figures.doc_id names a row of documents
--   text_at_offsets  documents.text[char_start:char_end], null when the document is missing
--   value_is_whole   true when value has no fractional part (counts are whole numbers)
--   sum_of_parts     (from figures) for a table's total cell, the sum of the cells it totals
-- $doc_ids (null for all): the documents whose figures are checked. A flow run checks those it loaded.
-- $warehouse_wide (ignored when $doc_ids is null): whether the warehouse-wide rows are checked here too: the figures
-- whose document is missing or whose figure_id is used more than once, wherever they are (rules on the whole table,
-- cheap to find). A validation in chunks of documents sets it for its first chunk only; the other chunks then leave
-- those rows out even when they name one of their documents, so that no figure is checked twice.
with scope as (select unnest($doc_ids) as doc_id),
repeated_ids as (select figure_id from figures group by figure_id having count(*) > 1),
flagged as (
    select f.doc_id, f.figure_id, f.surface, f.char_start, f.char_end, f.value, f.value_max, f.unit, f.kind,
           f.approx, f.direction, f.period_start, f.period_end, f.sum_of_parts,
           f.doc_id not in (select doc_id from documents) or f.figure_id in (select figure_id from repeated_ids)
               as warehouse_wide
    from figures f
),
scoped_figures as (
    select * from flagged
    where $doc_ids is null
       or ($warehouse_wide and warehouse_wide)
       or (doc_id in (select doc_id from scope) and not warehouse_wide)
),
-- only the scope's texts: joining every document's text costs as much as the whole warehouse, chunk after chunk.
-- substr counts characters from the start of the text on each call (a document's length per figure), so each
-- text is cut once, by one regex pass, into chunks of 64 characters, and a figure is read from its chunk and
-- the next; only a figure longer than that is read from the whole text.
scoped_documents as (
    select doc_id, text, regexp_extract_all(text, '(?s).{1,64}') as chunks from documents
    where $doc_ids is null or doc_id in (select doc_id from scope)
       or $warehouse_wide
          and doc_id in (select doc_id from figures where figure_id in (select figure_id from repeated_ids))
)
select
    f.doc_id, f.figure_id, f.surface, f.char_start, f.char_end, f.value, f.value_max, f.unit, f.kind,
    f.approx, f.direction, f.period_start, f.period_end, f.sum_of_parts,
    d.doc_id is not null as document_found,
    case when d.doc_id is null then null
         when f.char_start >= 0 and f.char_end <= f.char_start // 64 * 64 + 128
             then substr(d.chunks[f.char_start // 64 + 1] || coalesce(d.chunks[f.char_start // 64 + 2], ''),
                         f.char_start % 64 + 1, greatest(f.char_end - f.char_start, 0))
         else substr(d.text, f.char_start + 1, greatest(f.char_end - f.char_start, 0)) end as text_at_offsets,
    f.value = floor(f.value) as value_is_whole
from scoped_figures f
left join scoped_documents d on d.doc_id = f.doc_id
order by f.doc_id, f.char_start, f.figure_id
