create table if not exists documents (
    doc_id          varchar not null,
    source_name     varchar not null,
    source_path     varchar,
    encoding        varchar,
    is_html         boolean,
    script          varchar,
    title           varchar,
    published_at    timestamp,
    outlet          varchar,
    reporters       varchar[],
    correspondents  varchar[],
    raw_text        varchar,
    text            varchar,
    offset_map      struct(norm integer, raw integer)[],
    size_bytes      bigint,
    n_chars         integer,
    n_sentences     integer,
    n_tokens        integer,
    n_figures       integer,
    n_unread        integer,
    warnings        varchar[],
    run_id          varchar,
    loaded_at       timestamp,
    stale           boolean default false
);
-- Warehouses created before stale existed get the column too (false for every row they hold).
alter table documents add column if not exists stale boolean default false;
comment on table documents is 'One row per report file loaded: its decoded raw text, its normalized text (all figure offsets point into text) and the metadata read from it.';
comment on column documents.doc_id is 'Hash of the file''s raw bytes (16 hex digits); an unchanged file keeps its id.';
comment on column documents.source_name is 'Path of the file below the input folder, e.g. 000_bda1f0a19c388d12.txt.';
comment on column documents.source_path is 'Path the file was read from on the machine that ran the flow.';
comment on column documents.encoding is 'Encoding the bytes were decoded with: utf-8, utf-8-sig, utf-16, gb18030 or big5.';
comment on column documents.is_html is 'True when the file was an HTML page reduced to its text.';
comment on column documents.script is 'Script detected before normalization: simplified or traditional (traditional text is converted with OpenCC t2s).';
comment on column documents.title is 'Headline read from the first lines, when one is there.';
comment on column documents.published_at is 'Publication date and time from a 时间:/发布时间:/日期 line, when given.';
comment on column documents.outlet is 'Outlet named on a 来源: line.';
comment on column documents.reporters is 'Reporters named after 记者.';
comment on column documents.correspondents is 'Correspondents named after 通讯员.';
comment on column documents.raw_text is 'The decoded text before normalization (HTML already reduced to text).';
comment on column documents.text is 'Normalized text: NFKC, Simplified script, page chrome removed, broken lines rejoined. figures.char_start/char_end index it (0-based).';
comment on column documents.offset_map is 'Runs {norm, raw}: normalized offset p maps to raw offset raw + (p - norm) of the last run with norm <= p. Use the macro raw_offset(offset_map, p).';
comment on column documents.size_bytes is 'Size of the file in bytes.';
comment on column documents.n_chars is 'Length of the normalized text in characters.';
comment on column documents.n_sentences is 'Number of sentences in the sentences table for this document.';
comment on column documents.n_tokens is 'Number of tokens in the tokens table for this document.';
comment on column documents.n_figures is 'Number of figures extracted from this document.';
-- A warehouse made before this column existed gains it (null for the documents already loaded).
alter table documents add column if not exists n_unread integer;
comment on column documents.n_unread is 'Numbers seen where a figure would stand but not read with certainty (三四百件, 十五六人, a sign no change word governs, 兆 outside an amount), so left out rather than stored with a wrong value.';
comment on column documents.warnings is 'Problems met while reading that did not stop the load (e.g. replaced undecodable bytes).';
comment on column documents.run_id is 'The run that loaded this version of the document (see runs).';
comment on column documents.loaded_at is 'When this version of the document was loaded.';
comment on column documents.stale is 'True when the file is still there but no longer yields a document (now empty, unreadable, undecodable): these rows are its last good version, kept but not current; see ingest_errors for why. False again once the file loads or its bytes are back.';
