-- The rows the tokens suite validates: only the tokens that may break one of its rules, found in DuckDB,
-- so a run never pulls every token into pandas. A token that passes every rule below is left out, so
-- Great Expectations sees a small DataFrame (empty when all tokens are fine) and decides on each row.
--   document_found   true when tokens.doc_id names a row of documents
--   document_length  length of the document's normalized text (null when the document is missing)
--   text_at_offsets  documents.text[char_start:char_end], null when the document is missing
-- $doc_ids (null for all): a run checks its documents' tokens, and tokens whose document is missing.
-- $warehouse_wide (ignored when $doc_ids is null): whether the warehouse-wide rows are checked here too: the tokens
-- whose document is missing, wherever they are. A validation in chunks of documents sets it for its first chunk
-- only; the other chunks then leave out a missing document's tokens even when they name it, so that no token is
-- checked twice.
with scope as (select unnest($doc_ids) as doc_id),
scoped_documents as (
    select doc_id, text, length(text) as document_length
    from documents
    where $doc_ids is null or doc_id in (select doc_id from scope)
),
scoped_tokens as (
    select * from tokens where $doc_ids is null
    union all
    -- the scope's tokens; those of a missing document only in the frame that takes the warehouse-wide rows
    select t.* from tokens t semi join scope s on s.doc_id = t.doc_id
    where $warehouse_wide or t.doc_id in (select doc_id from documents)
    union all
    -- the tokens of a missing document outside the scope
    select t.* from tokens t anti join documents d on d.doc_id = t.doc_id anti join scope s on s.doc_id = t.doc_id
    where $doc_ids is not null and $warehouse_wide
),
-- substr counts characters from the start of the string on each call, so reading every token straight out
-- of its document costs the document's length per token (seconds per thousand documents), and so would cutting
-- the text with substr. Each text is cut once, by one regex pass, into chunks of 64 characters; a token is read
-- from its chunk and the next (128 characters from a multiple of 64), and only a token longer than that (or with
-- odd offsets) from the whole text.
chunked as (
    select doc_id, regexp_extract_all(text, '(?s).{1,64}') as chunks from scoped_documents
),
pieces as (
    select doc_id, piece_index, chunks[piece_index + 1] || coalesce(chunks[piece_index + 2], '') as piece
    from (select doc_id, chunks, unnest(range(0, len(chunks))) as piece_index from chunked)
),
checked as (
    select
        t.doc_id, t.token_index, t.token, t.char_start, t.char_end,
        d.doc_id is not null as document_found,
        d.document_length,
        case when d.doc_id is null then null
             when p.piece is not null and t.char_end <= p.piece_index * 64 + 128
                 then substr(p.piece, t.char_start - p.piece_index * 64 + 1, greatest(t.char_end - t.char_start, 0))
             else substr(d.text, t.char_start + 1, greatest(t.char_end - t.char_start, 0)) end as text_at_offsets
    from (select *, case when char_start >= 0 then char_start // 64 end as piece_index from scoped_tokens) t
    left join scoped_documents d on d.doc_id = t.doc_id
    left join pieces p on p.doc_id = t.doc_id and p.piece_index = t.piece_index
),
-- a repeated (doc_id, token_index) has both rows in the same document, so the scope holds both
repeated as (select doc_id, token_index, true as repeated from scoped_tokens group by doc_id, token_index
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
