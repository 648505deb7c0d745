"""Communications as pure logic: templates, rendering, channel limits, statements.

Nothing here stores or sends: ``services.comms`` reads and writes, the
channel adapters (``adapters.channels``) send.  A template is Jinja2 text run
in a sandbox, with numbers, money and dates written by Babel in the reader's
locale (``rendering``); what each purpose may say is its catalogue of
variables (``catalogue``); how long a message may be is its channel's
(``limits``); a template version is reviewed before anyone may approve it
(``review``).
"""
