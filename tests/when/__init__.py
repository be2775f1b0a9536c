"""Tests of bot.when: dates, rules and the .ics writer shared by the calendar and events."""
