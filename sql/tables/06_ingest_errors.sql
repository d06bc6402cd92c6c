create table if not exists ingest_errors (
    run_id       varchar,
    source_name  varchar,
    source_path  varchar,
    stage        varchar,
    error        varchar,
    recorded_at  timestamp
);
comment on table ingest_errors is 'Files that could not be loaded, one row per file and run, with the reason.';
comment on column ingest_errors.run_id is 'The run that met the problem (runs.run_id).';
comment on column ingest_errors.source_name is 'Path of the file below the input folder.';
comment on column ingest_errors.source_path is 'Path the file was read from.';
comment on column ingest_errors.stage is 'Where it failed: discover, plan (a duplicate of a loaded document), ingest, process (its worker process died, or a stage raised), budget (over --doc-seconds or --doc-memory) or load.';
comment on column ingest_errors.error is 'The reason, in one line (empty file, binary content, undecodable bytes, …).';
comment on column ingest_errors.recorded_at is 'When the problem was recorded.';
