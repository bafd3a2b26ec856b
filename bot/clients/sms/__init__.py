"""SMS providers behind one interface (`provider.SmsProvider`), built by name from the
settings (`registry.build_provider`): the outbox (demo), Twilio and GOV.UK Notify. Used by
the SMS channel and by the reminders' cron job alike, without loading Rasa."""
