create table if not exists figure_issues (
    run_id       varchar not null,
    doc_id       varchar not null,
    figure_id    varchar not null,
    expectation  varchar not null,
    column_name  varchar,
    reason       varchar,
    observed     varchar,
    recorded_at  timestamp not null
);
comment on table figure_issues is 'Figures that break an expectation of the figures suite, one row per figure and broken expectation. Recomputed for the current data by each validation; the figures themselves are kept as extracted (see the view figures_clean).';
comment on column figure_issues.run_id is 'The run (or `fazhi validate` call) whose validation flagged the figure.';
comment on column figure_issues.doc_id is 'The figure''s document (figures.doc_id).';
comment on column figure_issues.figure_id is 'The flagged figure (figures.figure_id).';
comment on column figure_issues.expectation is 'The expectation it breaks, e.g. expect_column_values_to_be_between.';
comment on column figure_issues.column_name is 'The column checked; "a, b" for a pair.';
comment on column figure_issues.reason is 'Why it is flagged: the rule, in one sentence (the expectation''s notes in expectations/figures.yml).';
comment on column figure_issues.observed is 'The value that broke the rule, as text (for a pair, both columns).';
comment on column figure_issues.recorded_at is 'When the validation flagged it.';
