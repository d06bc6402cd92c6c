create table if not exists dq_results (
    run_id              varchar not null,
    validated_at        timestamp not null,
    suite               varchar not null,
    expectation         varchar not null,
    column_name         varchar,
    row_condition       varchar,
    notes               varchar,
    success             boolean not null,
    element_count       bigint,
    unexpected_count    bigint,
    unexpected_percent  double,
    examples            varchar[],
    error               varchar
);
comment on table dq_results is 'One row per expectation per validation (every flow run, every `fazhi validate`): the Great Expectations suites in expectations/ and how the data fared. Kept as history; validation never deletes or changes data rows.';
comment on column dq_results.run_id is 'The run that validated (runs.run_id), or the id of a `fazhi validate` call.';
comment on column dq_results.validated_at is 'When the validation ran.';
comment on column dq_results.suite is 'The suite: figures, documents or tokens (expectations/NAME.yml).';
comment on column dq_results.expectation is 'The Great Expectations expectation type, e.g. expect_column_values_to_be_between.';
comment on column dq_results.column_name is 'The column checked; "a, b" for a pair or a compound key.';
comment on column dq_results.row_condition is 'The rows the expectation applies to, e.g. kind == rate; null for every row.';
comment on column dq_results.notes is 'What the expectation means, in one sentence (from the suite file).';
comment on column dq_results.success is 'True when every row the expectation applies to met it.';
comment on column dq_results.element_count is 'Rows validated by the suite.';
comment on column dq_results.unexpected_count is 'Rows that broke the expectation.';
comment on column dq_results.unexpected_percent is 'unexpected_count as a percent of the non-null rows it applies to.';
comment on column dq_results.examples is 'Up to five offending values, as text.';
comment on column dq_results.error is 'The error when the expectation could not be evaluated (then success is false).';
