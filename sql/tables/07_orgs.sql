create table if not exists orgs (
    name        varchar primary key,
    org         varchar,
    org_type    varchar,
    level       varchar,
    place       varchar,
    prefecture  varchar,
    province    varchar,
    collective  boolean,
    specialty   varchar
);
comment on table orgs is 'One row per organization named in figures.org: its canonical name, type, level and place (fazhi.extract.orgs.classify_org).';
comment on column orgs.name is 'The organization as stored in figures.org (the fullest name the report supports); join key.';
comment on column orgs.org is 'Canonical full name: short forms spelled out from the gazetteer (台州中院 -> 台州市中级人民法院, 仙居法院 -> 仙居县人民法院).';
comment on column orgs.org_type is 'court, procuratorate, police, justice, committee (政法委 and the political-legal system as a whole), anticorruption, or place (a place reported as a whole); null when unknown.';
comment on column orgs.level is 'national, provincial, prefectural, county or township; multi for collectives spanning levels (两级法院, 全市法院, 政法系统).';
comment on column orgs.place is 'The most specific place in the name, in its gazetteer form (台州市, 仙居县, 香港特别行政区); null for national or placeless names.';
comment on column orgs.prefecture is 'The prefecture-level city the place belongs to (or is), when the gazetteer knows it.';
comment on column orgs.province is 'The province-level division the place belongs to (or is), when the gazetteer knows it.';
comment on column orgs.collective is 'True for a set of organizations reported together (全市法院, 沈阳两级法院, 宁波市政法系统, 检察机关).';
comment on column orgs.specialty is 'For special courts: 海事, 铁路运输, 知识产权, 互联网 or 金融; null otherwise.';
