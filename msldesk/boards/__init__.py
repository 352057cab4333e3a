"""Advisory boards and workshops: events, agendas, people, attendance and their files."""
