"""The portfolio core: plain, typed Python with no web or database imports."""
