create table if not exists tokens (
    doc_id       varchar not null,
    token_index  integer not null,
    token        varchar not null,
    char_start   integer not null,
    char_end     integer not null
);
comment on table tokens is 'jieba tokens of each normalized document (jieba 0.42 with HMM, computed by jieba-rs), cut with the domain dictionary fazhi/data/userdict.txt (whitespace left out).';
comment on column tokens.doc_id is 'The document (documents.doc_id).';
comment on column tokens.token_index is 'Position of the token in its document, from 0.';
comment on column tokens.token is 'The token text.';
comment on column tokens.char_start is 'Offset of the token in documents.text (0-based).';
comment on column tokens.char_end is 'Offset just past the token in documents.text.';
