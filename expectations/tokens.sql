-- The rows the tokens suite validates: only the tokens that may break one of its rules, found in DuckDB,
-- so a run never pulls every token into pandas. A token that passes every rule below is left out, so
-- Great Expectations sees a small DataFrame (empty when all tokens are fine) and decides on each row.
--   document_found   true when tokens.doc_id names a row of documents
--   document_length  length of the document's normalized text (null when the document is missing)
--   text_at_offsets  documents.text[char_start:char_end], null when the document is missing
with checked as (
    select
        t.doc_id, t.token_index, t.token, t.char_start, t.char_end,
        d.doc_id is not null as document_found,
        length(d.text) as document_length,
        case when d.doc_id is not null
             then substr(d.text, t.char_start + 1, greatest(t.char_end - t.char_start, 0)) end as text_at_offsets
    from tokens t
    left join documents d on d.doc_id = t.doc_id
    -- $doc_ids (null for all): a run checks its documents' tokens and orphans; substr is the costly part.
    where $doc_ids is null or t.doc_id in (select unnest($doc_ids)) or d.doc_id is null
),
repeated as (select doc_id, token_index, true as repeated from tokens group by doc_id, token_index
             having count(*) > 1)
select c.*
from checked c
left join repeated r on r.doc_id = c.doc_id and r.token_index = c.token_index
where r.repeated or not c.document_found
   or c.char_start is null or c.char_end is null or c.token is null
   or c.char_start < 0
   or c.char_end <= c.char_start
   or c.char_end > c.document_length
   or c.text_at_offsets is distinct from c.token
order by c.doc_id, c.token_index
