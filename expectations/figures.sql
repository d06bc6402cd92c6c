-- The rows the figures suite validates: every figure, plus columns computed from its document, because
-- Great Expectations checks one DataFrame at a time and some rules need the document's text.
--   document_found   true when figures.doc_id names a row of documents
--   text_at_offsets  documents.text[char_start:char_end], null when the document is missing
--   value_is_whole   true when value has no fractional part (counts are whole numbers)
select
    f.doc_id, f.figure_id, f.surface, f.char_start, f.char_end, f.value, f.value_max, f.unit, f.kind,
    f.approx, f.direction, f.period_start, f.period_end,
    d.doc_id is not null as document_found,
    case when d.doc_id is not null
         then substr(d.text, f.char_start + 1, greatest(f.char_end - f.char_start, 0)) end as text_at_offsets,
    f.value = floor(f.value) as value_is_whole
from figures f
left join documents d on d.doc_id = f.doc_id
order by f.doc_id, f.char_start, f.figure_id
