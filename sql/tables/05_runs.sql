create table if not exists runs (
    run_id         varchar not null,
    flow_run_id    varchar,
    started_at     timestamp,
    finished_at    timestamp,
    input_dir      varchar,
    status         varchar,
    files_seen     integer,
    docs_loaded    integer,
    docs_skipped   integer,
    docs_failed    integer,
    docs_pruned    integer,
    figures        integer,
    seconds        double,
    message        varchar
);
-- Warehouses created before validation was recorded get the column too.
alter table runs add column if not exists validation varchar;
comment on table runs is 'One row per flow run against this warehouse, with its counts.';
comment on column runs.run_id is 'Id of the run (also stored on the documents and errors it produced).';
comment on column runs.flow_run_id is 'The Prefect flow run id, to find the run in the Prefect UI.';
comment on column runs.started_at is 'When the run started.';
comment on column runs.finished_at is 'When the run ended; null while running or after a crash.';
comment on column runs.input_dir is 'The folder that was read.';
comment on column runs.status is 'running, completed or failed.';
comment on column runs.files_seen is 'Report files found under the input folder.';
comment on column runs.docs_loaded is 'Documents loaded (new or changed).';
comment on column runs.docs_skipped is 'Files skipped because they are unchanged since they were loaded.';
comment on column runs.docs_failed is 'Files that could not be loaded (see ingest_errors).';
comment on column runs.docs_pruned is 'Documents removed because their file disappeared (only with --prune).';
comment on column runs.figures is 'Figures extracted from the documents loaded by this run.';
comment on column runs.seconds is 'Wall time of the run in seconds.';
comment on column runs.message is 'A short note, e.g. the error that failed the run.';
comment on column runs.validation is 'How the run validated: scoped (its own documents plus the warehouse-wide checks), all (every row: an earlier validation never finished) or skipped (nothing changed). It completed when dq_results has rows of the run; a run whose validation did not complete makes the next run validate every row.';
