"""Time as members type it and as calendars exchange it, shared by the features that plan things (the
editorial calendar, events): natural dates in French and English (`dates`, `date_words`), recurrence
rules and their words (`recurrence`, `rule_words`), and iCalendar files (`ical`). Pure modules: no I/O,
the clock and time zone are always passed in."""
