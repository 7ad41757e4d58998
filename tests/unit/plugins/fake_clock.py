"""A clock that advances only when asked to sleep: time-bounded loops tested without waiting."""


class Clock:
    def __init__(self, now=0.0):
        self.now = now

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
