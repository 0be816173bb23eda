"""Working-day calendar (工作日历): State Council holidays and make-up working days (调休).

Every deadline in GovCredit is counted in working days through :mod:`govcredit.workdays.services`
(calendars in :mod:`.calendars`, schedules in :mod:`.schedule`).
"""
