"""English and Russian labels and messages.

A message is looked up by key and formatted with keyword arguments; a key
missing in one language falls back to English.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # finding codes: (en, ru) short label used in the flags column and listings
    "bad_date": ("bad date", "неверная дата"),
    "bad_number": ("not a number", "не число"),
    "bad_phone": ("bad phone", "неверный телефон"),
    "bad_email": ("bad e-mail", "неверный e-mail"),
    "unknown_status": ("unknown status", "неизвестный статус"),
    "empty_status": ("no status", "нет статуса"),
    "missing_client": ("no client name", "нет названия клиента"),
    "unknown_reason": ("reason not on the list", "причина не из списка"),
    "duplicate_id": ("duplicate ID", "повтор ID"),
    "merged_cells": ("merged cells", "объединённые ячейки"),
    "overdue": ("overdue {days}d", "просрочен {days} дн."),
    "no_manager": ("no manager", "нет менеджера"),
    "unknown_manager": ("manager not on roster", "менеджера нет в списке"),
    "inactive_manager": ("manager left", "менеджер уволился"),
    "no_next_contact": ("no next contact date", "нет даты контакта"),
    "duplicate": ("duplicate of row {rows}", "дубль строки {rows}"),
    "refused_no_reason": ("refused, no reason", "отказ без причины"),
    "closed_with_next": ("closed but has next contact", "закрыт, но есть дата контакта"),
    "stale": ("no contact for {days}d", "нет контакта {days} дн."),
    # finding details: what is wrong / what would be right
    "hint_date": ("a date such as 23.11.2026 or 2026-11-23", "дата, например 23.11.2026"),
    "hint_number": ("a number such as 150000", "число, например 150000"),
    "hint_phone": ("a phone such as +7 912 345-67-89", "телефон, например +7 912 345-67-89"),
    "hint_email": ("an address such as name@example.com", "адрес вида name@example.com"),
    "hint_status": ("one of: {labels}", "одно из: {labels}"),
    "hint_client": ("the client's or company's name", "имя клиента или название компании"),
    "hint_merged": (
        "unmerge the cells and fill in each row",
        "разъедините ячейки и заполните каждую строку",
    ),
    "merged_cells_message": (
        "cells {ref} are merged: the value shows on row {row} only",
        "ячейки {ref} объединены: значение видно только в строке {row}",
    ),
    "hint_reason": ("one of: {reasons}", "одна из: {reasons}"),
    "hint_duplicate_id": (
        "a unique ID (also on row {rows}); clear it to get a new one",
        "уникальный ID (такой же в строке {rows}); очистите, чтобы получить новый",
    ),
    "hint_overdue": (
        "call and set a new next contact date (was {date})",
        "позвонить и поставить новую дату контакта (была {date})",
    ),
    "hint_no_manager": ("a manager from the Managers tab", "менеджер из вкладки «Менеджеры»"),
    "hint_unknown_manager": (
        "{name!r} is not on the Managers tab; add them or pick one listed",
        "«{name}» нет во вкладке «Менеджеры»; добавьте или выберите из списка",
    ),
    "hint_unknown_manager_like": (
        "{name!r} is not on the Managers tab; if it is {roster!r}, write the name as the "
        "Managers tab does",
        "«{name}» нет во вкладке «Менеджеры»; если это «{roster}», напишите имя так же, как там",
    ),
    "hint_manager_lookalike": (
        "{name!r} has '{letters}' in {script} where {roster!r} on the Managers tab has "
        "look-alike letters of the other alphabet; retype the name",
        "в «{name}» {script} («{letters}») там, где в «{roster}» во вкладке «Менеджеры» "
        "похожие буквы другого алфавита; наберите имя заново",
    ),
    "latin_letters": ("Latin", "латиница"),
    "cyrillic_letters": ("Cyrillic", "кириллица"),
    "hint_inactive_manager": (
        "{name} is marked inactive; hand the client over",
        "{name} отмечен(а) неактивным; передайте клиента",
    ),
    "hint_no_next_contact": (
        "a next contact date for every open client",
        "дата следующего контакта у каждого открытого клиента",
    ),
    "hint_duplicate": (
        "same {what} {value} on row {rows}; merge or remove one",
        "тот же {what} {value} в строке {rows}; объедините или удалите",
    ),
    "hint_refused_no_reason": ("a refusal reason: {reasons}", "причина отказа: {reasons}"),
    "hint_closed_with_next": (
        "clear the next contact date or reopen the client",
        "очистите дату контакта или верните клиента в работу",
    ),
    "hint_stale": ("last contact {date}; get in touch", "последний контакт {date}; свяжитесь"),
    "hint_stale_created": (
        "no contact since created {date}; get in touch",
        "контакта не было с создания {date}; свяжитесь",
    ),
    "hint_empty_status": (
        "a status: {labels} (read as New)",
        "статус: {labels} (считается «Новый»)",
    ),
    "phone_word": ("phone", "телефон"),
    "email_word": ("e-mail", "e-mail"),
    # listing column labels
    "col_row": ("Row", "Строка"),
    "col_column": ("Column", "Столбец"),
    "col_severity": ("Severity", "Уровень"),
    "col_problem": ("Problem", "Проблема"),
    "col_details": ("Details", "Подробности"),
    "col_code": ("Code", "Код"),
    "col_wrong": ("What is wrong", "Что не так"),
    "col_right": ("What would be right", "Как должно быть"),
    "col_manager": ("Manager", "Менеджер"),
    "col_pos": ("#", "№"),
    "col_client": ("Client", "Клиент"),
    "col_phone": ("Phone", "Телефон"),
    "col_status": ("Status", "Статус"),
    "col_due": ("Due", "Срок"),
    "col_overdue": ("Days overdue", "Дней просрочки"),
    "col_promised": ("Promised", "Что обещали"),
    "col_id": ("ID", "ID"),
    "col_reason": ("Reason", "Причина"),
    "col_count": ("Count", "Кол-во"),
    "col_share": ("Share", "Доля"),
    "col_group": ("Group", "Группа"),
    "col_month": ("Month", "Месяц"),
    "col_source": ("Source", "Источник"),
    "col_city": ("City", "Город"),
    "col_product": ("Product", "Продукт"),
    "col_when": ("When", "Когда"),
    "col_command": ("Command", "Команда"),
    "col_field": ("Field", "Поле"),
    "col_old": ("Old value", "Было"),
    "col_new": ("New value", "Стало"),
    "col_by": ("By", "Кто"),
    "col_why": ("Why", "Почему"),
    "demo_kept": (
        "The workbook it replaced is kept as {path}",
        "Прежняя книга сохранена как {path}",
    ),
    "demo_workbook": (
        "Sample workbook: {path} ({n} clients, {m} managers, one of whom has left)",
        "Пример книги: {path} ({n} клиентов, {m} менеджеров, один из них уволился)",
    ),
    "demo_attention": (
        "== What needs attention on {date} ==",
        "== На что обратить внимание {date} ==",
    ),
    "demo_errors": (
        "rows with data errors (see `sheetcrm check {path}`)",
        "строк с ошибками в данных (см. `sheetcrm check {path}`)",
    ),
    "demo_lists": (
        "== Today's lists (top 3 of each deck) ==",
        "== Списки на сегодня (первые 3 карточки) ==",
    ),
    "demo_deck": (
        "{manager}: {n} to call, {late} overdue",
        "{manager}: позвонить {n}, из них просрочено {late}",
    ),
    "demo_refusals": ("== Why clients say no ==", "== Почему клиенты отказываются =="),
    "demo_open": (
        "Open {path} to see the Today, Problems and Refusals tabs sheetcrm wrote.",
        "Откройте {path}: вкладки «Сегодня», «Проблемы» и «Отказы» заполнены.",
    ),
    "error": ("error", "ошибка"),
    "warning": ("warning", "предупреждение"),
    "no_reason": ("(no reason given)", "(причина не указана)"),
    "total": ("Total", "Итого"),
    "nobody": ("(nobody)", "(никто)"),
    "no_date": ("(no date)", "(без даты)"),
}


MESSAGES.update(
    {
        # what sync did (or would do, on a dry run)
        "sync_up_to_date": (
            "{label}: up to date, nothing to change.",
            "{label}: всё актуально, менять нечего.",
        ),
        "sync_did": ("{label}: synced.", "{label}: синхронизировано."),
        "sync_dry": (
            "{label}: dry run, nothing written.",
            "{label}: пробный прогон, ничего не записано.",
        ),
        "sync_did_columns": ("  did add column(s): {n}", "  добавлены столбцы: {n}"),
        "sync_dry_columns": ("  would add column(s): {n}", "  будут добавлены столбцы: {n}"),
        "sync_did_ids": (
            "  did fill {n} missing client ID(s)",
            "  заполнено недостающих ID клиентов: {n}",
        ),
        "sync_dry_ids": (
            "  would fill {n} missing client ID(s)",
            "  будет заполнено недостающих ID клиентов: {n}",
        ),
        "sync_did_assigned": (
            "  did assign a manager to {n} client(s) (see the Log tab)",
            "  назначен менеджер клиентам: {n} (см. вкладку «Журнал»)",
        ),
        "sync_dry_assigned": (
            "  would assign a manager to {n} client(s)",
            "  будет назначен менеджер клиентам: {n}",
        ),
        "sync_did_flags": (
            "  did update the flags of {n} row(s)",
            "  обновлены отметки в строках: {n}",
        ),
        "sync_dry_flags": (
            "  would update the flags of {n} row(s)",
            "  будут обновлены отметки в строках: {n}",
        ),
        "sync_did_tabs": ("  did rewrite tab(s): {n}", "  перезаписаны вкладки: {n}"),
        "sync_dry_tabs": ("  would rewrite tab(s): {n}", "  будут перезаписаны вкладки: {n}"),
        "sync_did_history": (
            "  did record {n} change(s) in the history",
            "  записано изменений в историю: {n}",
        ),
        "sync_dry_history": (
            "  would record {n} change(s) in the history",
            "  будет записано изменений в историю: {n}",
        ),
        "sync_history_moved": (
            "  the history of {old} continues here (the workbook was moved or renamed)",
            "  история {old} продолжается здесь (книгу переместили или переименовали)",
        ),
        "sync_dry_history_moved": (
            "  the history of {old} would continue here (the workbook was moved or renamed)",
            "  история {old} будет продолжена здесь (книгу переместили или переименовали)",
        ),
        "sync_did_history_copied": (
            "  the history is kept beside the workbook from now on: {new} "
            "(copied from {old}, which is left as it was)",
            "  история теперь хранится рядом с книгой: {new} (скопирована из {old}, "
            "тот файл не изменён)",
        ),
        "sync_dry_history_copied": (
            "  the history would be kept beside the workbook from now on: {new} "
            "(copied from {old})",
            "  история будет храниться рядом с книгой: {new} (копия {old})",
        ),
        # the demo's summary groups findings of one kind whatever their numbers
        "group_overdue": ("overdue", "просрочены"),
        "group_stale": ("no contact for too long", "давно без контакта"),
        "group_duplicate": ("duplicates", "дубли"),
    }
)


def t(lang: str, key: str, **kwargs: object) -> str:
    en, ru = MESSAGES[key]
    template = ru if lang == "ru" else en
    return template.format(**kwargs) if kwargs else template


MESSAGES.update(
    {
        # team operations: handover, assign, who, duplicates, log, undo
        "handover_note": ("handed over from {name} on {date}", "передан от {name} {date}"),
        "why_left": ("clients handed over", "клиенты переданы"),
        "no_word": ("No", "Нет"),
        "yes_word": ("Yes", "Да"),
        "not_on_roster": ("not on roster", "нет в списке"),
        "col_from": ("From", "От кого"),
        "col_to": ("To", "Кому"),
        "col_next_new": ("New next contact", "Новая дата контакта"),
        "col_amount": ("Amount", "Сумма"),
        "col_before": ("Open before", "Было открытых"),
        "col_received": ("Received", "Получает"),
        "col_warm": ("Of them in progress", "Из них в работе"),
        "col_after": ("Open after", "Станет открытых"),
        "col_rule": ("Rule", "Правило"),
        "col_active": ("Active", "Активен"),
        "col_comment": ("Comment", "Комментарий"),
        "col_next": ("Next contact", "Следующий контакт"),
        "col_by_what": ("Same", "Совпадает"),
        "col_value": ("Value", "Значение"),
        "col_rows": ("Rows", "Строки"),
        "col_clients": ("Clients", "Клиенты"),
        "col_managers": ("Managers", "Менеджеры"),
        "col_when_due": ("When", "Когда"),
        "col_now": ("Now", "Сейчас"),
        "col_restore": ("Restore to", "Вернуть"),
        "col_action": ("Action", "Действие"),
        "restore_word": ("restore", "вернуть"),
        "not_restored": (
            "NOT restored: its row changed while writing",
            "НЕ возвращено: строка изменилась во время записи",
        ),
        "col_written": ("Written", "Записано"),
        "left_alone": ("left alone: {reason}", "не трогаем: {reason}"),
        "overdue_word": ("overdue", "просрочено"),
        "due_word": ("due", "предстоит"),
        "col_batch": ("Batch", "Пакет"),
        "col_limit": ("Limit", "Лимит"),
        "no_room": ("(no room: limits)", "(нет места: лимиты)"),
        "cell_formula": (
            "row {row}, column '{column}' holds a formula ({formula})",
            "строка {row}, столбец «{column}»: там формула ({formula})",
        ),
        "why_undo": (
            "undo of batch {batch} ({command} {when})",
            "отмена пакета {batch} ({command} {when})",
        ),
        "why_rule": ("rule {rule}", "правило {rule}"),
        "why_pool": ("pool", "общий пул"),
        "why_rule_full": (
            "rule {rule} matches, but none of its managers is free (inactive, on leave, not "
            "on the Managers tab or at their Limit), nor is any pool manager",
            "подходит правило {rule}, но ни один из его менеджеров не свободен (неактивен, "
            "в отпуске, нет во вкладке «Менеджеры» или достиг лимита), и в пуле тоже",
        ),
        "why_name_like": (
            "{name!r} is not on the Managers tab but may be {like}: write the name as the "
            "Managers tab does",
            "«{name}» нет во вкладке «Менеджеры», но это может быть {like}: напишите имя так "
            "же, как там",
        ),
        "quoted_name": ("'{name}'", "«{name}»"),
        "or_word": (" or ", " или "),
        "why_unrouted": (
            "no rule matches and no pool manager is free",
            "ни одно правило не подошло, и в пуле нет свободного менеджера",
        ),
        # team command summaries (printed after the listings)
        "ho_title": ("Handover from {name}", "Передача клиентов: {name}"),
        "ho_totals": ("Totals", "Итоги"),
        "ho_checklist": ("Checklist for {name}", "Чек-лист — {name}"),
        "ho_list": ("{name}: {n} to call", "{name}: позвонить {n}"),
        "ho_none": (
            "{name} has no open clients to hand over.",
            "{name}: нет открытых клиентов для передачи.",
        ),
        "ho_done": (
            "Handed {n} client(s) over from {name}{then}. "
            "Every change is in the Log tab; `sheetcrm undo` reverts it.",
            "Передано клиентов: {n} (прежний менеджер: {name}){then}. "
            "Все изменения записаны во вкладку «Журнал»; `sheetcrm undo` отменит их.",
        ),
        "ho_done_inactive": (
            "; {name} marked inactive",
            "; {name} теперь с отметкой «Активен: Нет» во вкладке «Менеджеры»",
        ),
        "ho_not_inactive": (
            "{name} was NOT marked inactive: their row on the Managers tab changed while "
            "writing; set Active to No there by hand",
            "{name}: отметка «Активен: Нет» во вкладке «Менеджеры» не записана (строку "
            "изменили во время записи); поставьте её вручную",
        ),
        "row_was": ("was on row {row}", "была в строке {row}"),
        "ho_not_written": (
            "{n} client(s) NOT handed over: their rows changed while writing (see the "
            "warnings above); run the handover again for them: {clients}",
            "НЕ передано клиентов: {n}, их строки изменились во время записи (см. "
            "предупреждения выше); повторите передачу для них: {clients}",
        ),
        "ho_preview": (
            "Preview: {n} client(s) would move from {name} (next contact by {date}); "
            "{then}. Nothing written; run again with --apply.",
            "Предпросмотр: клиентов к передаче: {n} "
            "(прежний менеджер: {name}; связаться до {date}); {then}. "
            "Ничего не записано; для записи повторите с --apply.",
        ),
        "ho_will_deactivate": (
            "{name} would be marked inactive",
            "{name} получит отметку «Активен: Нет» во вкладке «Менеджеры»",
        ),
        "ho_already_inactive": (
            "{name} is already inactive or not on the Managers tab",
            "{name} уже с отметкой «Активен: Нет» или не во вкладке «Менеджеры»",
        ),
        "ho_formulas": (
            "Cells it would write hold formulas ({cells}); --apply refuses until they hold values.",
            "В ячейках, которые нужно изменить, формулы ({cells}); --apply не выполнится, "
            "пока там не будут значения.",
        ),
        "ho_astray": (
            "{n} open client(s) name a manager who may be {name}, written otherwise ({clients}): "
            "not moved; write the name as the Managers tab does. --apply refuses until then.",
            "Открытых клиентов, у которых менеджер записан иначе, но это может быть {name}: {n} "
            "({clients}); они не передаются: напишите имя так же, как во вкладке «Менеджеры». "
            "--apply не выполнится, пока они есть.",
        ),
        "ho_no_room": (
            "{left} of {n} client(s) fit nobody: every receiver is at their limit "
            "(Limit on the Managers tab); --apply refuses until they fit.",
            "Не хватает места для {left} из {n} клиентов: получатели упёрлись в лимит "
            "(столбец «Лимит» во вкладке «Менеджеры»); --apply не выполнится, "
            "пока они не поместятся.",
        ),
        "as_done": (
            "Assigned {n} client(s); every change is in the Log tab.",
            "Назначено клиентов: {n}; все изменения записаны во вкладку «Журнал».",
        ),
        "as_not_written": (
            "{n} client(s) NOT assigned: their rows changed while writing (see the warnings "
            "above); run assign again for them: {clients}",
            "НЕ назначено клиентов: {n}, их строки изменились во время записи (см. "
            "предупреждения выше); повторите assign для них: {clients}",
        ),
        "as_preview": (
            "Preview: {n} client(s) would be assigned. Nothing written; run again with --apply.",
            "Предпросмотр: будет назначено клиентов: {n}. Ничего не записано; "
            "для записи повторите с --apply.",
        ),
        "as_nothing": ("Nothing to assign.", "Назначать некого."),
        "as_left": (
            "{n} client(s) left without a manager: {why}.",
            "Остались без менеджера: {n} ({why}).",
        ),
        "as_left_by_reason": (
            "{n} client(s) left without a manager, by reason:",
            "Остались без менеджера: {n}, по причинам:",
        ),
        "auto_left_rows": ("row(s) {rows}", "строки {rows}"),
        "why_no_routing": (
            "config.yaml has no routing rules or pool (routing.rules, routing.pool)",
            "в config.yaml не заданы правила и пул (routing.rules, routing.pool)",
        ),
        "why_new_id": ("new client ID", "новый ID клиента"),
        "why_id_back": (
            "the client's ID before its cell was cleared",
            "прежний ID клиента (ячейку ID очистили)",
        ),
        "who_none": ("No client matches {query!r}.", "Клиент по запросу «{query}» не найден."),
        "dup_count": ("{n} group(s) of duplicate rows.", "Групп дублей: {n}."),
        "log_count": ("{n} change(s).", "Изменений: {n}."),
        "undo_nothing": (
            "Nothing to undo: the Log holds no handover or assign.",
            "Отменять нечего: в журнале нет ни handover, ни assign.",
        ),
        "no_log_tab": (
            "There is no Log tab ({tab!r}), so no change of sheetcrm's can be listed or undone; "
            "if it was renamed, name it back or set tabs.log in config.yaml.",
            "Вкладки журнала («{tab}») нет, поэтому изменения sheetcrm не показать и не "
            "отменить; если её переименовали, верните имя или укажите tabs.log в config.yaml.",
        ),
        "undo_already": (
            "The last change ({label}) is already undone; nothing to do.",
            "Последнее изменение ({label}) уже отменено; делать нечего.",
        ),
        "undo_label": ("{command} of {when}, batch {batch}", "{command} от {when}, пакет {batch}"),
        "undo_done": ("Restored {n} cell(s) of the {label}", "Восстановлено ячеек: {n} ({label})"),
        "undo_preview": (
            "Would restore {n} cell(s) of the {label}",
            "Будет восстановлено ячеек: {n} ({label})",
        ),
        "undo_skipped": (
            "; {n} cell(s) edited since are left alone",
            "; ячеек, изменённых после этого: {n}, их не трогаем",
        ),
        "undo_not_written": (
            "; {n} cell(s) NOT restored: their rows changed while writing (see the warnings above)",
            "; НЕ восстановлено ячеек: {n}, их строки изменились во время записи (см. "
            "предупреждения выше)",
        ),
        "undo_skipped_other": (
            "; {n} cell(s) that cannot be found are left alone (see Action)",
            "; ячеек, которые не найти: {n}, их не трогаем (см. «Действие»)",
        ),
        "undo_auto_assign": (
            "routing.auto_assign is on: the next sync gives these {n} client(s) a manager again; "
            "to keep them as restored, set it to false in config.yaml first",
            "routing.auto_assign включён: следующий sync снова назначит менеджера этим клиентам "
            "({n}); чтобы оставить их как было, сначала выключите его в config.yaml",
        ),
        "undo_write": (
            ". Nothing written; run again with --apply.",
            ". Ничего не записано; для записи повторите с --apply.",
        ),
        "undo_edited": (
            "edited since (sheetcrm wrote {value!r})",
            "изменено после (sheetcrm записал «{value}»)",
        ),
        "undo_formula": (
            "row {row}, column '{column}' now holds a formula ({formula})",
            "строка {row}, столбец «{column}»: теперь там формула ({formula})",
        ),
        "undo_gone": (
            "client ID {id!r} is no longer in the sheet",
            "клиента с ID {id} больше нет в таблице",
        ),
        "undo_id_cleared": (
            "client ID {id!r} is no longer in the sheet: the ID cell of row {row} ({client!r}) "
            "is empty now; type {id} back there, then undo again",
            "ID {id} больше нет в таблице: в строке {row} («{client}») ячейка ID теперь пуста; "
            "верните туда {id}, затем повторите undo",
        ),
        "undo_id_retyped": (
            "client ID {id!r} is no longer in the sheet: row {row} ({client!r}) bears ID "
            "{now!r} now; type {id} back there, then undo again",
            "ID {id} больше нет в таблице: в строке {row} («{client}») теперь ID {now}; "
            "верните туда {id}, затем повторите undo",
        ),
        "undo_several": (
            "client ID {id!r} is on several rows ({rows})",
            "ID {id} встречается в нескольких строках ({rows})",
        ),
        "undo_other_client": (
            "client ID {id!r} is now on row {row}, client {now!r}, not {was!r}: check that row "
            "and change it by hand",
            "ID {id} теперь в строке {row}, у клиента «{now}», а не «{was}»: проверьте эту "
            "строку и исправьте вручную",
        ),
        "undo_no_column": (
            "the {field} column is no longer in the sheet",
            "столбца {field} больше нет в таблице",
        ),
        "undo_no_manager": (
            "manager {name!r} or the Active column is no longer on the Managers tab",
            "менеджера «{name}» или столбца «Активен» больше нет во вкладке «Менеджеры»",
        ),
    }
)

MESSAGES.update(
    {
        # morning lists and the digest (notify)
        "subject_list": (
            "Calls for {date}: {n} ({late} overdue)",
            "Звонки на {date}: {n} (просрочено {late})",
        ),
        "subject_list_on_time": ("Calls for {date}: {n}", "Звонки на {date}: {n}"),
        "subject_empty": ("Nothing due on {date}", "На {date} звонков нет"),
        "subject_digest": (
            "Team digest for {date}: {due} due, {late} overdue, {orphaned} orphaned",
            "Сводка на {date}: к звонку {due}, просрочено {late}, ничьих {orphaned}",
        ),
        "status_left": ("left", "не работает"),
        "status_unknown": ("not on the Managers tab", "нет во вкладке «Менеджеры»"),
    }
)

MESSAGES.update(
    {
        # history between syncs, reports and charts
        "reassigned": ("manager changed by hand", "менеджер сменён вручную"),
        "hint_reassigned": (
            "changed from {old} to {new} on {date}, not by handover or assign; "
            "confirm it with the head of sales",
            "сменён с {old} на {new} {date} вручную, не через передачу или распределение; "
            "согласуйте с руководителем",
        ),
        "postponed_repeatedly": ("postponed {times} times", "переносов: {times}"),
        "hint_postponed_repeatedly": (
            "next contact moved {times} times without a status change; "
            "decide: in progress, won or refused",
            "переносов даты контакта без смены статуса: {times}; решите: в работе, успех или отказ",
        ),
        "none_value": ("(none)", "(не указано)"),
        "ev_added": ("added", "добавлен"),
        "ev_removed": ("removed", "удалён"),
        "ev_status": ("status", "статус"),
        "ev_manager": ("manager", "менеджер"),
        "ev_postponed": ("next contact postponed", "контакт перенесён"),
        "by_sheetcrm": ("sheetcrm", "sheetcrm"),
        "by_hand": ("by hand", "вручную"),
        "col_event": ("Event", "Событие"),
        "col_date": ("Date", "Дата"),
        "col_open": ("Open", "Открыто"),
        "col_new_clients": ("New", "Новых"),
        "col_due_period": ("Contacts due", "Контактов по плану"),
        "col_overdue_now": ("Overdue now", "Просрочено сейчас"),
        "col_won": ("Won", "Успех"),
        "col_won_amount": ("Won amount", "Сумма успешных"),
        "col_refused": ("Refused", "Отказ"),
        "col_conversion": ("Conversion", "Конверсия"),
        "col_avg_overdue": ("Avg days overdue", "Ср. дней просрочки"),
        "report_title": ("Report {since} – {until} by {by}", "Отчёт {since} – {until}, по: {by}"),
        "by_manager": ("manager", "менеджер"),
        "by_city": ("city", "город"),
        "by_product": ("product", "продукт"),
        "by_source": ("source", "источник"),
        "note_by_status": (
            "no closed-on column and no history of status changes: won and refused are counted "
            "by current status, whatever the period",
            "нет столбца с датой закрытия и истории смены статусов: успех и отказ посчитаны "
            "по текущему статусу, без учёта периода",
        ),
        "note_by_status_blank": (
            "the '{column}' column holds no date and there is no history of status changes: "
            "won and refused are counted by current status, whatever the period",
            "в столбце «{column}» нет ни одной даты, истории смены статусов тоже нет: успех и "
            "отказ посчитаны по текущему статусу, без учёта периода",
        ),
        "note_undated": (
            "{n} won/refused client(s) have no closing date (closed-on column or history) "
            "and are left out of won/refused",
            "у {n} закрытых клиентов нет даты закрытия (столбец или история); "
            "они не вошли в успех/отказ",
        ),
        "note_undated_bad": (
            "{n} won/refused client(s) have a '{column}' cell that is not a date and are left "
            "out of won/refused; `sheetcrm check` names the cells",
            "у {n} закрытых клиентов в столбце «{column}» не дата; они не вошли в успех/отказ "
            "(ячейки покажет `sheetcrm check`)",
        ),
        "chart_refusals": ("Refusal reasons by month", "Причины отказов по месяцам"),
        "chart_funnel": ("Clients by status per manager", "Воронка по менеджерам"),
        "chart_load": ("Open clients per manager", "Открытые клиенты по менеджерам"),
        "axis_month": ("Month", "Месяц"),
        "axis_refusals": ("Refusals", "Отказы"),
        "axis_clients": ("Clients", "Клиенты"),
        "axis_manager": ("Manager", "Менеджер"),
        "axis_open": ("Open clients", "Открытые клиенты"),
        "chart_limit": ("limit", "лимит"),
        "history_now": (
            "{id} {client} at the last sync: manager {manager}, status {status}, "
            "next contact {due}",
            "{id} {client} на последней синхронизации: менеджер {manager}, статус {status}, "
            "следующий контакт {due}",
        ),
    }
)

MESSAGES.update(
    {
        # what is wrong with a cell the parser cannot read ({value} comes quoted where it is text)
        "cell_date_serial": (
            "{value} is not a date serial number",
            "{value} — не номер даты Excel",
        ),
        "cell_date_phantom": (
            "{value} is 29.02.1900, a day that does not exist",
            "{value} — это 29.02.1900, такого дня не было",
        ),
        "cell_date_time_only": ("holds only a time, no date", "только время, без даты"),
        "cell_date_not": ("{value} is not a date", "{value} — не дата"),
        "cell_date_not_real": ("{value} is not a real date", "{value} — такой даты нет"),
        "cell_date_weekday": (
            "{value}: the day of the week does not match the date",
            "{value} — день недели не совпадает с датой",
        ),
        "cell_date_no_year": (
            "{value} has no year; write it as DD.MM.YYYY",
            "{value} — дата без года; напишите её как ДД.ММ.ГГГГ",
        ),
        "cell_number_not": ("{value} is not a number", "{value} — не число"),
        "cell_phone_no_digits": ("{value} has no digits", "{value} — в номере нет цифр"),
        "cell_phone_not": ("{value} is not a phone number", "{value} — не номер телефона"),
        "cell_email_not": ("{value} is not an e-mail address", "{value} — не адрес e-mail"),
        "cell_status_unknown": ("{value} is not a known status", "{value} — неизвестный статус"),
        "cell_formula_error": (
            "shows {value}: its formula fails; fix the formula or type the value",
            "показывает {value}: формула не считается; исправьте её или впишите значение",
        ),
        # what the core commands print besides their listings
        "cli_check_summary": (
            "{rows} client rows: {errors} error(s), {warnings} warning(s).",
            "Строк с клиентами: {rows}; ошибок: {errors}, предупреждений: {warnings}.",
        ),
        "cli_nothing_due": ("Nothing due on {date}.", "На {date} звонков нет."),
        "cli_nothing_due_for": (
            "Nothing due for {name} on {date}.",
            "{name}: на {date} звонков нет.",
        ),
        "cli_more_cards": ("({n} more after this one)", "(после этого ещё: {n})"),
        "cli_problems_summary": (
            "{n} problem(s) in {rows} client rows.",
            "Проблем: {n}; строк с клиентами: {rows}.",
        ),
        "cli_refusals_summary": ("{n} refusal(s).", "Отказов: {n}."),
        "cli_wrote": ("Wrote {path}: {title}.", "Записан файл {path}: {title}."),
        "cli_history_summary": (
            "{n} event(s) for {clients} client(s).",
            "Событий: {n}; клиентов: {clients}.",
        ),
        "note_undated_refusals": (
            "{n} refused row(s) have no date and are outside any period",
            "Отказов без даты, не попавших ни в один период: {n}",
        ),
    }
)

MESSAGES.update(
    {
        # what `sheetcrm notify` prints
        "notify_digest_to": ("digest to {address}", "сводка для {address}"),
        "notify_subject": ("Subject: {subject}", "Тема: {subject}"),
        "notify_sent": ("sent: {who}: {subject}{where}", "отправлено: {who}: {subject}{where}"),
        "notify_failed": ("FAILED: {who}: {detail}", "НЕ ОТПРАВЛЕНО: {who}: {detail}"),
        "notify_already": (
            "already sent at {time}: {who} (--force sends again)",
            "уже отправлено в {time}: {who} (--force отправит ещё раз)",
        ),
        "notify_no_address": ("no address: {line}", "нет адреса: {line}"),
        "notify_nothing_due": (
            "skipped, nothing due: {name}",
            "пропущено, на сегодня ничего: {name}",
        ),
        "notify_not_sent": (
            "{fatal}; {n} message(s) not sent",
            "{fatal}; не отправлено сообщений: {n}",
        ),
        "notify_would_send": (
            "{n} would be sent, nothing sent (dry run)",
            "будет отправлено: {n}, ничего не отправлено (пробный запуск)",
        ),
        "notify_n_sent": ("{n} sent", "отправлено: {n}"),
        "notify_n_failed": ("{n} failed", "не отправлено из-за ошибки: {n}"),
        "notify_n_already": ("{n} already sent today", "уже отправлено сегодня: {n}"),
        "notify_n_no_address": ("{n} without an address", "без адреса: {n}"),
        "notify_where": (
            "{name}: no {column} on the {tab} tab (row {row}); not sent",
            "{name}: нет {column} во вкладке «{tab}» (строка {row}); не отправлено",
        ),
        "notify_bad_email": (
            "{name}: {value!r} in the {column} column of the {tab} tab (row {row}) is not an "
            "e-mail address; not sent",
            "{name}: «{value}» в столбце «{column}» вкладки «{tab}» (строка {row}) — не адрес "
            "e-mail; не отправлено",
        ),
        "notify_head_no_address": (
            "digest for {entry!r}: notify.head_of_sales needs {what} or a name from the "
            "Managers tab; not sent",
            "сводка для «{entry}»: в notify.head_of_sales нужен {what} или имя из вкладки "
            "«Менеджеры»; не отправлено",
        ),
        "notify_head_row": ("digest for {line}", "сводка: {line}"),
        "notify_maybe_left": ("not sent: {why}", "не отправлено: {why}"),
        "notify_head_inactive": (
            "digest for {name}: inactive on the {tab} tab (row {row}); not sent "
            "(take the name out of notify.head_of_sales)",
            "сводка для {name}: менеджер не активен во вкладке «{tab}» (строка {row}); "
            "не отправлено (уберите имя из notify.head_of_sales)",
        ),
        "notify_email_column": ("e-mail", "e-mail"),
        "notify_telegram_column": ("Telegram chat id", "Telegram chat id"),
        "notify_email_what": ("an e-mail address", "адрес e-mail"),
        "notify_telegram_what": ("a Telegram chat id", "Telegram chat id"),
    }
)
