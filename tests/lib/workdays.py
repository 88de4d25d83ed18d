"""Working days as the reports count them, worked out independently of
escbot (the tests' own arithmetic): England and Wales bank holidays from
etc/, weekends off, a time after 17:00 or on a day off counting from the
next working day.  Times are London wall-clock times (naive datetimes)."""
import datetime as dt
import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def load_holidays():
    days = set()
    with open(os.path.join(REPO, "etc",
                           "bank-holidays-england-wales.txt")) as f:
        for ln in f:
            if ln.strip() and not ln.startswith("#"):
                days.add(dt.date.fromisoformat(ln.split()[0]))
    return days


HOLIDAYS = load_holidays()


def is_working(d):
    return d.weekday() < 5 and d not in HOLIDAYS


def working_day_of(t):
    d = t.date()
    if not is_working(d) or t.time() > dt.time(17, 0):
        d += dt.timedelta(days=1)
        while not is_working(d):
            d += dt.timedelta(days=1)
    return d


def working_days_between(a, b):
    da, db = working_day_of(a), working_day_of(b)
    n = 0
    while da < db:
        da += dt.timedelta(days=1)
        n += is_working(da)
    return n
