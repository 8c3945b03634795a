"""/become_mentor: four short questions, then the application goes to the admins.

Only in a private chat (a group's chatter would become the answers), and only new text
messages count: an edit or a sticker gets a plain word and the question again."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.handlers.telegram.chat_rules import TYPE_PLEASE
from bot.handlers.telegram.common import Context, HandlerResult, call, guarded, me, reply
from bot.handlers.telegram.deep_links import BECOME_MENTOR, start_filter
from core.services.mentors import apply_as_mentor

QUESTIONS = (
    ("domain", "Your domain (e.g. Backend engineering)?"),
    ("years", "Years of experience (a number)?"),
    ("bio", "A short bio for students?"),
    ("tags", "Your expertise tags, comma-separated (e.g. python, system-design)?"),
)
ASKING = 10
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
STATUS = filters.StatusUpdate.ALL  # service messages (a pin, a timer): not an answer


@guarded
async def start(update: Update, context: Context) -> HandlerResult:
    await me(update, context)
    assert context.user_data is not None
    context.user_data["mentor_form"] = {}
    await reply(update, QUESTIONS[0][1] + " (/cancel to stop)")
    return ASKING


@guarded
async def on_answer(update: Update, context: Context) -> HandlerResult:
    assert context.user_data is not None and update.effective_message is not None
    answers: dict[str, str] = context.user_data.setdefault("mentor_form", {})
    name = QUESTIONS[len(answers)][0]
    text = update.effective_message.text or ""
    if name == "years" and not text.strip().isdigit():
        await reply(update, "Please give the years as a whole number, e.g. 5.")
        return ASKING
    answers[name] = text
    if len(answers) < len(QUESTIONS):
        await reply(update, QUESTIONS[len(answers)][1])
        return ASKING
    member = await me(update, context)
    context.user_data.pop("mentor_form", None)
    await call(
        context,
        apply_as_mentor,
        member.id,
        domain=answers["domain"],
        years_experience=int(answers["years"]),
        bio=answers["bio"],
        expertise_tags=[t for t in answers["tags"].split(",") if t.strip()],
    )
    await reply(
        update, "Thank you! An admin will review your application. Meanwhile: /availability"
    )
    return ConversationHandler.END


async def on_non_text(update: Update, context: Context) -> int:
    """A sticker, photo, voice message… instead of the answer: the question again."""
    assert context.user_data is not None
    answers: dict[str, str] = context.user_data.setdefault("mentor_form", {})
    question = QUESTIONS[min(len(answers), len(QUESTIONS) - 1)][1]
    await reply(update, f"{TYPE_PLEASE} (or send /back or /cancel).\n\n{question}")
    return ASKING


async def back(update: Update, context: Context) -> int:
    """/back: the previous question again; its answer is given anew."""
    assert context.user_data is not None
    answers: dict[str, str] = context.user_data.setdefault("mentor_form", {})
    if answers:
        answers.pop(list(answers)[-1])
    await reply(update, QUESTIONS[len(answers)][1])
    return ASKING


async def cancel(update: Update, context: Context) -> int:
    assert context.user_data is not None
    context.user_data.pop("mentor_form", None)
    await reply(update, "Stopped. Nothing was saved.")
    return ConversationHandler.END


def mentor_conversation() -> ConversationHandler[Context]:
    return ConversationHandler(
        entry_points=[
            CommandHandler("become_mentor", start, filters.ChatType.PRIVATE),
            CommandHandler("start", start, start_filter(BECOME_MENTOR)),
        ],
        states={
            ASKING: [
                MessageHandler(PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND, on_answer),
                MessageHandler(PRIVATE_MESSAGE & ~filters.TEXT & ~STATUS, on_non_text),
            ]
        },
        fallbacks=[CommandHandler("cancel", cancel), CommandHandler("back", back)],
        name="mentor_form",
        persistent=True,
        allow_reentry=True,
    )
