"""Borrower-facing channels: the web chat widget (``web``) and the WeChat Official Account
(``wechat``), plus WeChat template-message delivery for reminders (``wechat_notifier``).
See bot/channels/README.md."""
