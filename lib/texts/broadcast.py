"""Broadcast texts (admin side and the job's reports), in English and Russian (same keys, HTML templates)."""
TEXTS = {
    "en": {
        "bc_ask_text": "📣 <b>New broadcast</b>\nSend me the message as you want users to see it. "
                       "Formatting (bold, italic, links) is kept. Next you choose who gets it and can add a button; "
                       "nothing is sent before you confirm the preview.",
        "bc_need_text": "Please send the broadcast as a text message (or press Cancel).",
        "bc_choose_segment": "📣 <b>Who should get it?</b>",
        "bc_seg_all": "Everyone ({count})",
        "bc_seg_active": "With an active service ({count})",
        "bc_seg_expired": "Service expired ({count})",
        "bc_seg_never_paid": "Never paid ({count})",
        "bc_segment_all": "everyone", "bc_segment_active": "users with an active service",
        "bc_segment_expired": "users whose service expired", "bc_segment_never_paid": "users who never paid",
        "bc_ask_button": "Add a link button under the message?",
        "bc_btn_add_button": "➕ Add a button", "bc_btn_no_button": "No button",
        "bc_button_prompt": "Send the button as <code>Label | https://example.com</code>",
        "bc_button_invalid": "That does not fit. Send <code>Label | https://…</code>: a label of up to 64 characters "
                             "and a link starting with https://, http:// or tg://.",
        "bc_preview": "☝️ This is exactly what users will get.\nAudience: <b>{segment}</b>, <b>{count}</b> now.\n\nSend it?",
        "bc_preview_refused": "Telegram refused this message: <code>{error}</code>\nSend it again, corrected.",
        "bc_btn_confirm": "✅ Send to {count}", "bc_btn_cancel": "✖️ Cancel", "bc_btn_stop": "⏹ Stop",
        "bc_started": "📣 Broadcast <b>#{id}</b> is on its way to <b>{count}</b> users. Progress follows below.",
        "bc_not_draft": "Broadcast #{id} can no longer be changed.",
        "bc_flow_cancelled": "Broadcast cancelled. Nothing was sent.",
        "bc_stopping": "⏹ Stopping broadcast #{id}… The report follows.",
        "bc_already_over": "Broadcast #{id} is already over.",
        "bc_progress": "📣 <b>Broadcast #{id}</b>: {done} of {total}\n✅ Delivered: {sent}\n🚫 Blocked the bot: {blocked}\n"
                       "⚠️ Failed: {failed}",
        "bc_report_done": "📣 <b>Broadcast #{id} finished</b> in {took}.\n✅ Delivered: <b>{sent}</b>\n"
                          "🚫 Blocked the bot: <b>{blocked}</b>\n⚠️ Failed: <b>{failed}</b>\nRecipients: <b>{total}</b>",
        "bc_report_cancelled": "⏹ <b>Broadcast #{id} stopped</b> after {done} of {total}, in {took}.\n"
                               "✅ Delivered: <b>{sent}</b>\n🚫 Blocked the bot: <b>{blocked}</b>\n"
                               "⚠️ Failed: <b>{failed}</b>",
        "bc_duration": "{minutes} min {seconds} s",
        "bc_refused": "⚠️ Telegram refused the broadcast itself: <code>{error}</code>\nIt is stopped; nobody else gets it.",
    },
    "ru": {
        "bc_ask_text": "📣 <b>Новая рассылка</b>\nПришлите сообщение так, как его должны увидеть пользователи. "
                       "Оформление (жирный, курсив, ссылки) сохранится. Дальше вы выберете получателей и сможете "
                       "добавить кнопку; ничего не уйдёт, пока вы не подтвердите предпросмотр.",
        "bc_need_text": "Пришлите рассылку текстовым сообщением (или нажмите «Отмена»).",
        "bc_choose_segment": "📣 <b>Кому отправить?</b>",
        "bc_seg_all": "Всем ({count})",
        "bc_seg_active": "С активной услугой ({count})",
        "bc_seg_expired": "Услуга истекла ({count})",
        "bc_seg_never_paid": "Ни разу не платили ({count})",
        "bc_segment_all": "все", "bc_segment_active": "пользователи с активной услугой",
        "bc_segment_expired": "пользователи с истёкшей услугой", "bc_segment_never_paid": "ни разу не платившие",
        "bc_ask_button": "Добавить под сообщением кнопку-ссылку?",
        "bc_btn_add_button": "➕ Добавить кнопку", "bc_btn_no_button": "Без кнопки",
        "bc_button_prompt": "Пришлите кнопку в виде <code>Надпись | https://example.com</code>",
        "bc_button_invalid": "Не подходит. Пришлите <code>Надпись | https://…</code>: надпись до 64 символов "
                             "и ссылку, начинающуюся с https://, http:// или tg://.",
        "bc_preview": "☝️ Именно это получат пользователи.\nПолучатели: <b>{segment}</b>, сейчас <b>{count}</b>.\n\n"
                      "Отправить?",
        "bc_preview_refused": "Telegram не принял сообщение: <code>{error}</code>\nПришлите его ещё раз, исправив.",
        "bc_btn_confirm": "✅ Отправить {count}", "bc_btn_cancel": "✖️ Отмена", "bc_btn_stop": "⏹ Остановить",
        "bc_started": "📣 Рассылка <b>#{id}</b> отправляется <b>{count}</b> пользователям. Ход — ниже.",
        "bc_not_draft": "Рассылку #{id} уже нельзя изменить.",
        "bc_flow_cancelled": "Рассылка отменена. Ничего не отправлено.",
        "bc_stopping": "⏹ Останавливаю рассылку #{id}… Отчёт придёт следом.",
        "bc_already_over": "Рассылка #{id} уже завершена.",
        "bc_progress": "📣 <b>Рассылка #{id}</b>: {done} из {total}\n✅ Доставлено: {sent}\n🚫 Заблокировали бота: {blocked}\n"
                       "⚠️ Ошибки: {failed}",
        "bc_report_done": "📣 <b>Рассылка #{id} завершена</b> за {took}.\n✅ Доставлено: <b>{sent}</b>\n"
                          "🚫 Заблокировали бота: <b>{blocked}</b>\n⚠️ Ошибки: <b>{failed}</b>\nПолучателей: <b>{total}</b>",
        "bc_report_cancelled": "⏹ <b>Рассылка #{id} остановлена</b> после {done} из {total}, за {took}.\n"
                               "✅ Доставлено: <b>{sent}</b>\n🚫 Заблокировали бота: <b>{blocked}</b>\n"
                               "⚠️ Ошибки: <b>{failed}</b>",
        "bc_duration": "{minutes} мин {seconds} с",
        "bc_refused": "⚠️ Telegram не принял саму рассылку: <code>{error}</code>\nОна остановлена, больше никто её не получит.",
    },
}
