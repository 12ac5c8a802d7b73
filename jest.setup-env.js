// Tests compare wall-clock renderings; pin the zone so a developer's laptop and CI agree.
process.env.TZ = 'UTC';
