#!/usr/bin/env python3
"""Writes the sample e-mail (RFC 5322, MIME) with its PDF attachment: it-newsletter.py PDF OUT."""
import sys
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone, timedelta

pdf_path, out_path = sys.argv[1], sys.argv[2]
message = EmailMessage()
message["From"] = "IT Service Desk <it-service@beispiel-gmbh.example>"
message["To"] = "All staff <alle@beispiel-gmbh.example>"
message["Subject"] = "IT newsletter November 2026: follow-me printing"
message["Date"] = format_datetime(datetime(2026, 11, 20, 9, 15, tzinfo=timezone(timedelta(hours=1))))
message["Message-ID"] = "<it-newsletter-2026-11@beispiel-gmbh.example>"
message.set_content(
    "Hello everyone,\n\n"
    "from 1 December 2026 all office printers in Kassel and Leipzig switch to follow-me printing.\n"
    "You no longer choose a printer: every job goes to one secure queue, and you collect it at\n"
    "whichever printer is closest. The attached guide explains how to release a job with your badge.\n\n"
    "The old printer queues stay available until 31 January 2027.\n\n"
    "Your IT Service Desk\n")
with open(pdf_path, "rb") as f:
    message.add_attachment(f.read(), maintype="application", subtype="pdf",
                           filename="follow-me-printing.pdf")
with open(out_path, "wb") as f:
    f.write(bytes(message))
