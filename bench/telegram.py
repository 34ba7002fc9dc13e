"""The Telegram bot under load, through the stand-in Bot API server (never the real one).

    python -m bench.telegram                 # 50 chats x 10 questions in bursts
    python -m bench.telegram --transcript    # a short conversation as the server recorded it

Every update must be answered exactly once, in the right chat; prints p50/p95/p99 latency from
an update being queued to its reply arriving at the server.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.config import TelegramConfig
from bot.questionlog import QuestionLog
from bot.service import Service
from bot.telegram_adapter import BotState, RateLimiter
from retrieval import Retriever, Tokenizer, build_index
from tests.botapi import RunningBot, StandInServer, callback, message

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "肇庆一共建成了多少个初心堂？",
    "深圳建了多少個暖蜂驛站？",
    "廣東駐鎮幫扶幫了幾個鄉鎮？",
    "深圳成立了多少个产业链党委？",
    "广西区直机关评出了多少个模范机关示范单位？",
    "红烧肉怎么做才好吃？",
    "李希有講到要幫基層減負嗎",
    "深圳大讲堂第一期请来讲课的是谁？",
    "肇慶鄉鎮黨委書記隊伍平均年齡降了幾歲？",
    "玉林賀州跟哪裡簽了黨建協議啊",
]


def _built(index: Path, tokenizer: Tokenizer) -> Retriever:
    build_index([REPO / "corpus"], index, tokenizer=tokenizer)
    return Retriever.open(index, tokenizer=tokenizer)


def state(tmp: Path, server: StandInServer, **settings: object) -> BotState:
    settings.setdefault("admins", (42,))
    tokenizer = Tokenizer(cache_dir=tmp)
    retriever = _built(tmp / "docbot.db", tokenizer)
    cfg = replace(TelegramConfig(), api_base_url=server.base_url, **settings)  # type: ignore[arg-type]
    return BotState(
        Service(retriever),
        QuestionLog.open(tmp / "questions.db"),
        cfg,
        lambda: Service(_built(tmp / "docbot.db", tokenizer)),
        RateLimiter(cfg.rate_limit),
    )


def transcript() -> None:
    with (
        tempfile.TemporaryDirectory() as d,
        StandInServer() as server,
        RunningBot(server, state(Path(d), server)),
    ):
        turns = ["/start", "深圳建了多少個暖蜂驛站？", "那司機之家呢？", "红烧肉怎么做才好吃？"]
        for n, text in enumerate(turns, start=1):
            server.api.push(message(text))
            server.api.wait_for(
                lambda calls, n=n: len([c for c in calls if c.method == "sendMessage"]) >= n
            )
        first_answer = server.api.sent()[1].params
        data = first_answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        server.api.push(callback(data))
        server.api.wait_for(lambda calls: len([c for c in calls if c.method == "sendMessage"]) >= 5)
        for call in server.api.calls:
            if call.method in ("sendMessage", "answerCallbackQuery"):
                p = call.params
                keys = p.get("reply_markup", {}).get("inline_keyboard", [[]])[0]
                buttons = " ".join(f"[{b['text']}]" for b in keys)
                print(f"--> {call.method} chat={p.get('chat_id', '')} {buttons}")
                print(re.sub(r"^", "    ", str(p.get("text", "")), flags=re.M))


HOSTILE = [
    "<b>深圳</b> &amp; <script>alert(1)</script>",
    "\x00\u200b\u202e深圳\ud800",
    "😀" * 50,
    "党建" * 3000,
    "_*[]()~`>#+-=|{}.!",
]


def load(
    chats: int, per_chat: int, burst: int, hostile: float = 0.0, reindex: bool = False
) -> None:
    with (
        tempfile.TemporaryDirectory() as d,
        StandInServer() as server,
        RunningBot(server, state(Path(d), server, rate_limit=0)),
    ):
        pushed: dict[int, float] = {}
        expected: dict[int, int] = {}
        total = chats * per_chat
        start = time.monotonic()
        n = 0
        for round_ in range(per_chat):
            for chat in range(chats):
                chat_id = 10_000 + chat
                text = QUESTIONS[(chat + round_) % len(QUESTIONS)]
                update_id = server.api.push(message(text, chat_id=chat_id))
                pushed[update_id] = time.monotonic()
                expected[chat_id] = expected.get(chat_id, 0) + 1
                n += 1
                if n % burst == 0:  # a burst, then wait for the bot to catch up
                    server.api.wait_for(
                        lambda calls, n=n: sum(c.method == "sendMessage" for c in calls) >= n,
                        300,
                    )
        server.api.wait_for(
            lambda calls: sum(c.method == "sendMessage" for c in calls) >= total, 300
        )
        elapsed = time.monotonic() - start
        sent = server.api.sent()
        per_chat_count: dict[int, int] = {}
        for call in sent:
            cid = int(call.params["chat_id"])
            per_chat_count[cid] = per_chat_count.get(cid, 0) + 1
        # latency: each chat's k-th reply answers its k-th question
        latencies = []
        times_by_chat: dict[int, list[float]] = {}
        for uid, at in sorted(pushed.items()):
            times_by_chat.setdefault(10_000 + (uid - 1) % chats, []).append(at)
        for cid, times in times_by_chat.items():
            replies = [c.at for c in sent if int(c.params["chat_id"]) == cid]
            latencies += [r - q for q, r in zip(times, replies, strict=False)]
        q = statistics.quantiles(latencies, n=100)
        answers = all("答：" in c.params["text"] or "没有找到" in c.params["text"] for c in sent)
        ok = per_chat_count == expected and answers
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            "| chats | questions | hostile | /reindex | all answered once, right chat | wall "
            "| p50 | p95 | p99 | peak RSS |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        print(
            f"| {chats} | {total} | {hostile:.0%} | {'yes' if reindex else 'no'} "
            f"| {'yes' if ok else 'NO'} | {elapsed:.1f} s "
            f"| {q[49] * 1000:.0f} ms | {q[94] * 1000:.0f} ms | {q[98] * 1000:.0f} ms "
            f"| {rss:.0f} MB |"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--transcript", action="store_true")
    ap.add_argument("--chats", type=int, default=50)
    ap.add_argument("--per-chat", type=int, default=10)
    ap.add_argument("--burst", type=int, default=50)
    ap.add_argument("--hostile", type=float, default=0.0, help="share of hostile inputs")
    ap.add_argument("--reindex", action="store_true", help="an admin /reindex half way")
    args = ap.parse_args()
    if args.transcript:
        transcript()
    else:
        load(args.chats, args.per_chat, args.burst, args.hostile, args.reindex)


if __name__ == "__main__":
    main()
