create table if not exists metric_catalog (
    metric_id    varchar not null,
    name         varchar not null,
    name_en      varchar,
    domain       varchar,
    kind         varchar,
    synonyms     varchar[],
    description  varchar
);
comment on table metric_catalog is 'Canonical metrics with the labels reports write them under, loaded from fazhi/data/metric_catalog.csv on every run; figures.metric_id points here.';
comment on column metric_catalog.metric_id is 'Stable key of the metric, lower_snake_case (closure_rate, plea_leniency_rate).';
comment on column metric_catalog.name is 'Canonical Chinese name (结案率, 认罪认罚从宽制度适用率).';
comment on column metric_catalog.name_en is 'English name.';
comment on column metric_catalog.domain is 'Who reports it: court, procuratorate, police, justice or general.';
comment on column metric_catalog.kind is 'Kind of the figures that measure it: count, rate, amount, duration or ratio (changes and ranks of it map too).';
comment on column metric_catalog.synonyms is 'Labels as written in reports that mean this metric (适用比例 for 适用率 …).';
comment on column metric_catalog.description is 'What is counted or measured, in one sentence.';
