-- The rows the tokens suite validates, plus columns computed from their document.
--   document_found   true when tokens.doc_id names a row of documents
--   document_length  length of the document's normalized text (null when the document is missing)
--   text_at_offsets  documents.text[char_start:char_end], null when the document is missing
select
    t.doc_id, t.token_index, t.token, t.char_start, t.char_end,
    d.doc_id is not null as document_found,
    length(d.text) as document_length,
    case when d.doc_id is not null
         then substr(d.text, t.char_start + 1, greatest(t.char_end - t.char_start, 0)) end as text_at_offsets
from tokens t
left join documents d on d.doc_id = t.doc_id
order by t.doc_id, t.token_index
