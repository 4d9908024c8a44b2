"""The Chinese working-day calendar: official years from chinesecalendar and calendar files, and deadline counting."""
