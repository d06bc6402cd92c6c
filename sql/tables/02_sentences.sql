create table if not exists sentences (
    doc_id          varchar not null,
    sentence_index  integer not null,
    char_start      integer not null,
    char_end        integer not null,
    text            varchar
);
comment on table sentences is 'Sentences of each normalized document, split at 。！？ and line breaks.';
comment on column sentences.doc_id is 'The document (documents.doc_id).';
comment on column sentences.sentence_index is 'Position of the sentence in its document, from 0.';
comment on column sentences.char_start is 'Offset of the first character in documents.text (0-based).';
comment on column sentences.char_end is 'Offset just past the last character in documents.text.';
comment on column sentences.text is 'The sentence: documents.text[char_start:char_end].';
