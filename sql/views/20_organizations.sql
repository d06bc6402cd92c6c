create or replace view organizations as
with canonical as (
    -- Several names can spell one organization (台州中院, 台州市中级人民法院): one row per canonical org.
    select
        org,
        any_value(org_type) as org_type,
        any_value(level) as level,
        any_value(place) as place,
        any_value(prefecture) as prefecture,
        any_value(province) as province,
        bool_or(collective) as collective,
        list(distinct name order by name) as names
    from orgs
    where org is not null
    group by org
),
reported as (
    select
        coalesce(o.org, f.org) as org,
        count(*) as figures,
        count(distinct f.doc_id) as documents,
        count(distinct f.metric_id) as metrics,
        min(period_year(f.period_start, f.period_end, f.period_text)) as first_year,
        max(period_year(f.period_start, f.period_end, f.period_text)) as last_year
    from figures f
    left join orgs o on o.name = f.org
    where f.org is not null
    group by 1
)
select
    coalesce(c.org, r.org) as org,
    c.org_type,
    c.level,
    c.place,
    c.prefecture,
    c.province,
    c.collective,
    coalesce(c.names, [r.org]) as names,
    coalesce(r.figures, 0) as figures,
    coalesce(r.documents, 0) as documents,
    coalesce(r.metrics, 0) as metrics,
    r.first_year,
    r.last_year
from canonical c
full join reported r on r.org = c.org;
comment on view organizations is 'One row per organization (canonical name from orgs): its type, level and place, the names reports use for it, and what they report about it (figures, documents, catalog metrics, years). An org in figures but not in orgs has a null type.';
comment on column organizations.org is 'Canonical full name (orgs.org), or figures.org as written when orgs does not know it.';
comment on column organizations.org_type is 'court, procuratorate, police, justice, committee, anticorruption or place (orgs.org_type).';
comment on column organizations.level is 'national, provincial, prefectural, county, township, or multi for collectives (orgs.level).';
comment on column organizations.place is 'The most specific place in the name (orgs.place).';
comment on column organizations.collective is 'True for a set of organizations reported together (全市法院, 两级法院).';
comment on column organizations.names is 'The names figures.org uses for this organization.';
comment on column organizations.figures is 'Figures reported for the organization under any of its names.';
comment on column organizations.metrics is 'Distinct catalog metrics among them.';
comment on column organizations.first_year is 'Earliest period year of its figures.';
comment on column organizations.last_year is 'Latest period year of its figures.';
comment on column organizations.prefecture is 'The prefecture-level city the place belongs to (or is), when the gazetteer knows it (orgs.prefecture).';
comment on column organizations.province is 'The province-level division the place belongs to (or is), when the gazetteer knows it (orgs.province).';
comment on column organizations.documents is 'Documents that report figures for the organization.';
