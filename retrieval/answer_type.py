"""What kind of answer a question asks for, and whether a text carries one.

A question asking 多少所 wants "<number>所" in the answer, 哪一年 wants a year, 什么奖 wants a
word ending in 奖. This is used to prefer, among passages BM25 already found, those that can
answer, and to pick the best sentence. All matching is on the Simplified matching form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

NEAR = 6  # characters between an answer and a question word for them to count as together

_NUM = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万亿兆零〇]+)"
# Measure words that answer for each other. 个 is the general classifier: it counts things of
# any kind (104个镇街党校 answers 多少所), but not people, time, money or length.
_UNIT_CLASSES = (
    "人名位",
    "个所只支座家项条件处栋间套部台辆张",
    "本册部套",
    "万亿",
    "次场回遍趟轮",
)
_NOT_FOR_个 = frozenset("人名位年月天周日岁元米吨倍分宗起")

# Measure words that may follow 多少/几 (多少所, 几支); another character after 多少 is the
# start of a noun (多少资金, 多少党员), which says nothing about the unit.
MEASURE = (
    "个所名位人只支座条项件次场家户套篇部本册张台辆期批届种类处栋间层吨岁倍股团组队万亿元宗起"
    "年月天周日号平米公轮回遍趟代盘局分"
)
_MEASURE_WORDS = frozenset(MEASURE)
# 多少, 几多, or 几 before a measure word (not 哪几个, 第几, 20几所, 几内亚, 几乎).
_HOW_MANY = re.compile(
    rf"(?<![哪边第这那前许\d十百千万])(?:多少|几多|(?<!好)几(?=[{MEASURE}])|多大|多高|多深|多宽|多重)"
    r"([\u4e00-\u9fff]?)"
)
_PEOPLE_NOUN_ENDS = frozenset("口数员次民才群")
# What a people noun in front of it turns into a thing (党员教育基地, 干部周转房): counted as
# things, not people.
_THING_HEAD = re.compile(
    r"[\u4e00-\u9fff](?:基地|站点|驿站|中心|之家|阵地|平台|项目|工程|品牌|示范点|队伍|组织|支部"
    r"|[房室馆站所园楼点])"
)
# Measure words a bare 一 before is seldom a count (一分部署, 一起): digits only.
_DIGITS_ONLY = frozenset("分宗起")
# Person-times (人次): a count in them is not one of people (1500名干部 is no 人次).
_TIMES = re.compile(r"人次")
# A noun naming people (党员, 队员, 学生, 志愿者, 居民): counted in 人, 名, 位.
PEOPLE_NOUN = re.compile(
    r"[\u4e00-\u9fff]*(?:员|者|民|生|工|兵|干部|群众|人员|人才|代表|委员|书记|部长|主任|局长|"
    r"县长|市长|镇长|村长|校长|院长|厂长|经理|(?:省部|厅局|[厅局处科股])级|"  # 局级: 局级干部
    r"[一二]把手|[能选歌高帮助新老]手)$"  # 一把手: a post's holder (not 抓手, a lever)
)
# 多少 (or 几多) ending the question, after what it asks about: 经费是多少, 党员一共有多少.
_TRAILING_HOW_MANY = re.compile(
    r"([\u4e00-\u9fff]{1,6}?)(?:的)?(?:数量|总数|数目)?(?:一共|总共|共|总计|合计|大约|大概|约)?"
    r"(?:有|是|为|达)?(?:多少|几多)(?:个)?[？?。！!\s]*$"
)
_MONEY_NOUN = re.compile(r"(?:费|金|资|款|价|钱|成本|预算|投资|投入|收入|工资|造价)$")
# How long / far: a number with a unit of that dimension (not any number).
_TIME = r"年|个月|月|周|星期|天|日|小时|钟头|分钟|秒|世纪"
_LENGTH = r"公里|千米|公尺|公分|厘米|毫米|米|英里|英尺|海里|光年|里|尺|寸|km|cm|mm|m"
_DIMENSIONS = (
    (re.compile(r"几个钟|几个小时|多少个?小时|几多个?钟"), r"小时|钟头|个钟|分钟|天"),  # hours
    (re.compile(r"多久|多长时间|多少时间|几耐"), _TIME),
    (
        re.compile(r"多大面积|多少面积|多少平方|多少亩|多少公顷|面积[有是为]?(?:多大|多少)|占地多"),
        r"平方|亩|公顷|平米|km2",
    ),
    (re.compile(r"几岁|多少岁|多大年纪|年龄[有是为]?(?:多大|多少)|岁数"), r"岁"),
    (re.compile(r"多少(?:公里|千米|公尺|米|英里|海里|光年)"), _LENGTH),
    (re.compile(r"多长|多远"), f"{_LENGTH}|{_TIME}"),  # 任期多长: five years
)
_MONEY_Q = re.compile(
    r"多少钱|几多?钱|花了多少|投入了?多少|多少(?:资金|经费|元|万元|亿元|捐款|款|投资|费用|奖金|善款)"
)
_ABOUT = r"\s*[多余]?\s*"  # 300多, 10万多, 1万余
_MONEY = re.compile(rf"\d+(?:\.\d+)?{_ABOUT}(?:(?:万|亿){_ABOUT})?元")
_YEAR_RANGE_Q = re.compile(r"哪几年|哪些年|几年到几年|从哪年|哪[两三四五]年")
_YEAR_Q = re.compile(r"哪一?年|何年|哪年")
_DATE_Q = re.compile(r"哪一?天|哪日|几月几?[日号]?|几[日号]|什么时候|何时|什么时间|哪个月")
# 什么奖, 哪个单位: the noun asked for, up to two characters (not 的, 了, 是 ...).
# (为什么 asks why: no noun asked; but 评为什么奖, 作为什么 do.)
_WHAT_X = re.compile(
    r"(?:(?:(?<!为)|(?<=[作成评称列定视改]为))什么|哪个|哪一?种|哪类|何种)([\u4e00-\u9fff]{1,2})"
)
# What a plan, a campaign or a meeting is about (主题, 宗旨), asked as 是什么: a passage that
# gives it says 主题是…; one that never names it gives another thing. (口号 and 全称 are
# asked of what a passage writes in quotation marks, and are left out.) By us.
NAMED_ATTRIBUTE = re.compile(
    r"(主题|宗旨|主旨)(?:又|到底|究竟|具体)?(?:是|为|叫|系)(?:个|一个)?(?:什么|啥)"
)
# 哪个城市, 什么地方: a place is asked, which the passage names (在广州召开), not "<X>城市".
PLACE_KINDS = frozenset(["城市", "市", "县", "省", "区", "镇", "村", "地方", "地区", "国家", "城"])
# 什么方式, 什么内容: any passage has a "<X>方式"; such a noun says nothing of the answer.
_GENERIC_WHAT = frozenset(
    ["方式", "形式", "方法", "办法", "途径", "内容", "情况", "样子", "东西", "事情", "意思", "意义",
     "作用", "原因", "目的", "特点", "问题", "工作", "活动", "行动", "样"]
)  # fmt: skip
# The manner something was done in (以什么形式, 用什么方式): the passage says 以<X>形式.
_MANNER_Q = re.compile(
    r"(?:什么|哪种|哪一种|何种|哪些)(?:方式|形式)|(?:怎么|怎样|如何)[^，。？！,?!]{0,4}?(?:开|召开|举行|举办)"
)  # (会怎么开到市县的: in what form it was held)
_MANNER = re.compile(r"(?:以|用|通过|采取|采用)[^，。；,;]{1,16}?(?:形式|方式)")
# Where a meeting or an event was held: the passage says 在<place>召开.
_WHERE_Q = re.compile(
    r"(?:哪个|哪座|哪一个|什么)(?:城市|地方|市|县|省|区|镇|村)|哪里|哪儿|何地|何处"
)
# The verbs of holding a meeting or an event, as a passage writes them.
HELD_VERB = re.compile(r"召开|举行|举办|开幕")
_HELD = re.compile(rf"{HELD_VERB.pattern}|开会|[开办](?=[的了过呢吗啊？?。]|$)")
_HELD_AT = re.compile(
    rf"[在于][^，。；！？,;!?]{{1,24}}?(?:{HELD_VERB.pattern}|开班)"
)  # (在此举办)
_WHO_Q = re.compile(r"谁|哪位|哪些人|叫什么名字|什么名字|姓甚名谁")
# 名字 asked of what its clause names before it (模式叫什么名字, 那个站点叫啥名字).
_NAME_OF = re.compile(r"([^，。；！？,;!?]*?)(?:叫|的)?什么名字")
# Kinds of people, not posts: a passage names them otherwise (专家 for 教授). By us.
KINDS_OF_PEOPLE = frozenset(
    ["专家", "学者", "嘉宾", "领导", "官员", "人士", "老师", "讲师", "人物", "名人", "大咖",
     "负责人", "牵头人", "主讲人", "发言人", "主持人", "讲者", "高手"]
)  # fmt: skip
# 是谁 / 系哪位 / 叫什么名字: who it is, as a question ends or a clause of it.
WHO_ENDING = r"(?:是|系|为|叫)?(?:谁|哪位|什么名字)"
# Groups of people a clause may name (乡镇党委书记队伍, 两委干部): whose a measure is.
PEOPLE_WORD = re.compile(
    r"干部|群众|人员|人才|代表|委员|书记|部长|主任|局长|[县市镇村校院厂]长|党员|队员|职工|居民"
    r"|学生|教师|老师"
)
# A person's name asked for (领导是谁, 哪位教授, 谁…叫什么名字), not a group's (哪些人) or a
# body's (谁负责): an answer names that person.
_PEOPLE_ASKED = (
    "(?:" + "|".join(sorted(KINDS_OF_PEOPLE)) + r"|教授|记者|编辑|书记|部长|主任|局长|[省市县区]长)"
)
NAME_ASKED = re.compile(rf"{_PEOPLE_ASKED}{WHO_ENDING}|哪位{_PEOPLE_ASKED}|谁.{{0,12}}什么名字")
# The noun counted after 多少/几 and its measure word (多少名队员 -> 队员), up to a particle.
_COUNTED = re.compile(r"[\u4e00-\u9fff]{1,8}")
_PARTICLES = re.compile(r"[的了是在呢吗啊呀嘛吧有为]")
_YEAR_RANGE = re.compile(r"\d{4}\s*年?\s*[-—–~至到和、与及]\s*\d{2,4}")
_YEAR = re.compile(r"\d{4}年")
_DATE = re.compile(r"\d{1,2}月\d{1,2}[日号]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月")
_ROLE = (
    r"(?:书记|部长|省长|市长|县长|区长|镇长|主任|局长|主席|院长|厅长|处长|校长|教授|研究员|记者"
    r"|通讯员|主持人|负责人|经理|董事长|总裁|总统|总理|首相|导演|作者)"
)


def person_name(found: str) -> str:
    """The name in a person answer (部长张义珍 -> 张义珍, 李明同志 -> 李明)."""
    return re.sub(rf"^{_ROLE}|(?:同志|先生|女士)$", "", found)


# What follows a post and is not a name (总书记关于…, 书记出席…, 部长在…).
_NOT_A_NAME = (
    r"(?!关于|对于|出席|主持|讲话|强调|指出|表示|参加|带领|率领|提出|要求"
    r"|队伍|班子|工作|建设|等|在|的|和|是|就|为|与|及|对|把|被)"
)
_PERSON = re.compile(
    rf"{_ROLE}{_NOT_A_NAME}\s?[\u4e00-\u9fff]{{2,3}}|[\u4e00-\u9fff]{{2,3}}(?:同志|先生|女士)"
)
# A rank of cadres (局级, 处级, 科级, 副厅级), a tier of government (县级, 镇级) or of a scheme
# (一级指标): figures for another rank or tier answer something else.
RANK = re.compile(
    r"[正副]?(?:省部|厅局|国|部|厅|局|处|科|股)级|(?<![哪边每这那同某本各上下])[省市县区镇乡村]级|(?<![哪边每这那同某本各上下省市县区镇乡村街道高低升降提晋])[一二三四五]级"
)
# A figure per unit of a tier (每个村, 每个乡镇(街道), 村均): 每个乡镇's is not 每个村's.
PER_TIER = re.compile(
    r"每一?[个条座]?(乡镇|街道|社区|镇街|[省市县区镇乡村])(?![直级属域场民])|(?<![全城各两])([省市县区镇乡村])均"
)
# People or bodies of a tier (村干部, 乡镇干部; 市直机关, 区直单位): 乡镇干部's are not 村干部's.
TIER_GROUP = re.compile(r"(乡镇|街道|社区|[省市县区镇乡村])干部|([省市县区]{1,3})直")  # 省市直
# A post the question names (副部长, 书记): an answer about another post answers something else.
ROLE_WORD = re.compile(
    r"副?(?:书记|部长|省长|市长|县长|区长|镇长|主任|局长|主席|院长|厅长|处长|校长|主编|编辑|记者"
    r"|通讯员)"
)
# A post with the body it belongs to (纪委书记, 市委书记, 组织部部长): 省委书记 is another post.
POST = re.compile(
    r"(?:[省市县区镇乡村]?(?:纪委|党委|党组织|党支部|党总支|党组|党工委|工委)"
    r"|(?:[省市县区]委)?(?:组织部|宣传部|统战部|政法委)|[省市县区]委|政府)?" + ROLE_WORD.pattern
)
# Words jieba's dictionary tags as places or organisations that name a kind of place, not a
# place (written by us from that dictionary's tags, not from any question set).
GENERIC_PLACES = frozenset(
    [
        "东西",
        "城市",
        "地方",
        "地区",
        "国家",
        "全国",
        "全省",
        "全市",
        "全区",
        "全县",
        "世界",
        "各地",
        "本地",
        "当地",
        "外地",
        "基层",
        "农村",
        "城乡",
        "乡村",
        "社区",
        "中央",
        "地方政府",
        "政府",
        "首都",
        "省会",
        "边疆",
        "内地",
        "海外",
        "国内",
        "国外",
        "境内",
        "境外",
    ]
)
# A country is the wide setting of most of what a document says, which seldom names it.
COUNTRY = re.compile(r"[\u4e00-\u9fff]{1,6}国|中华人民共和国|台湾|中共")
_INTERROGATIVE = r"(?:什么|哪一|哪个|哪些|哪|那一|何)"


def asked_for(word: str, question: str) -> bool:
    """Whether ``word`` names what ``question`` asks for (哪一座城市, 什么东西) rather than
    what the answer must be about."""
    return re.search(rf"{_INTERROGATIVE}[\u4e00-\u9fff]?{re.escape(word)}", question) is not None


_EACH = re.compile(r"^[每这那哪任同某第唯逐]一(?![一二两三四五六七八九十百千万零〇\d])")
# The place in a series a question names (第二期, 第3届): an answer about another is a near miss.
ORDINAL = re.compile(r"第[一二三四五六七八九十\d]+[期届批轮场]")
# A session of a congress or plenum (十三届三次全会, 二十届二中全会): another is another meeting.
SESSION = re.compile(r"[一二三四五六七八九十百\d]+届[一二三四五六七八九十\d]+(?:次|中)")
# A period relative to the text's own time (去年, 上半年): figures for another are another's.
PERIOD = re.compile(r"今年|去年|前年|明年|上半年|下半年|全年|[一二三四]季度|前三季度")
PERIOD_FAMILIES = (("今年", "去年", "前年", "明年"), ("上半年", "下半年", "全年", "季度"))
# A change of an amount (下降了3岁, 增加了20个): not the amount itself.
_CHANGE = re.compile(
    r"(?:下降|减少|增加|提高|提升|增长|上升|降低|缩短|扩大|减小|增多|多了|少了)了?$|变化|增减|增幅|降幅"
)
_CHANGE_ASKED = re.compile(r"[降升涨增减]|提高|缩短|扩大|缩小|变化|[多少小]了|年轻|后生|回落")
YEAR_NAMED = re.compile(r"((?:19|20)\d{2})\s*年(?!代)")
# A span of years a question names, with or without 年 (2018-2020年, 2018到2020那轮,
# (2018—2020)): met by a passage of any year in it.
YEAR_SPAN = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*年?\s*[-—–~至到]\s*((?:19|20)\d{2})(?!\d)\s*年?(?!代)"
)


def _names_something(text: str, start: int, end: int, noun: str) -> bool:
    """Whether the number at ``text[start:end]`` begins a name in quotation marks (“两个覆盖”)
    that is not of ``noun``, the thing counted."""
    before = text[:start]
    quoted = before.count("“") > before.count("”") or before.count("「") > before.count("」")
    rest = text[end:]
    return quoted and rest[:1] not in ("”", "」") and not (noun and rest.startswith(noun))


@dataclass(frozen=True)
class AnswerType:
    """The answer a question expects: a pattern an answering text must contain.

    ``unit`` is the measure word or dimension a count asks in (名, 套, 米) and ``noun`` what
    it counts (多少名队员 -> 队员); both empty when the question does not say. ``subject``
    is what it counts when named before the count and nothing follows (党员一共多少人)."""

    kind: str  # "number", "money", "year", "year_range", "date", "place", "thing", "person",
    # "manner", "list", "named", "item"
    pattern: re.Pattern[str] | None
    unit: str = ""
    noun: str = ""
    subject: str = ""  # what is counted when it comes before 多少 (干部学院一共有多少所)

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in self.pattern.finditer(text)] if self.pattern else []

    def counts(self, text: str, question: str = "") -> list[tuple[int, int]]:
        """The counts in ``text`` that can answer: not a lone 一 after 每, 这, 第 ... (每一名
        党员 counts nothing), not a number that starts a name in quotation marks (“两个作用”;
        but “20条”, and “两个定位” for 几个定位), and not a change (下降了3岁 is no age) unless
        ``question`` asks about one."""
        change = _CHANGE_ASKED.search(question) is not None
        found = []
        for a, b in self.spans(text):
            if _EACH.search(text[max(a - 1, 0) : b]):
                continue
            if _names_something(text, a, b, self.noun):
                continue
            if not change and _CHANGE.search(text[max(a - 4, 0) : a]):
                continue
            found.append((a, b))
        return found

    def support(self, text: str, words: Iterable[str], window: int = NEAR) -> int:
        """0 if ``text`` has no answer of this type; 1 if it has one; 2 if one stands within
        ``window`` characters of a question word (the answer is about what was asked); 3 if
        a count is attached to the very thing it counts (品牌933个, 933个品牌), or a list is
        followed by what it lists (横琴、前海、南沙三个重大合作平台 for 合作平台)."""
        spans = self.spans(text)
        if not spans:
            return 0
        if self.kind == "named":
            return 1  # (主题 itself stands by 主题是: nearness says nothing)
        if self.kind == "number" and self._attached(text, self.counts(text)):
            return 3
        if self.kind == "list" and any(
            self.noun[i : i + 2] in text[b : b + LIST_HEAD]
            for _, b in spans
            for i in range(len(self.noun) - 1)
        ):
            return 3  # 横琴、前海、南沙三个重大合作平台: the list, then what it lists
        where = _past_titles(text)
        for word in words:
            if len(word) < 2:
                continue
            at = text.find(word)
            while at >= 0:
                a, b = where(at), where(at + len(word))
                if any(where(s) - window <= b and a <= where(e) + window for s, e in spans):
                    return 2
                at = text.find(word, at + 1)
        return 1

    def _attached(self, text: str, spans: list[tuple[int, int]]) -> bool:
        """Whether a count at ``spans`` is written right before or after what the question
        counts (its noun, or the noun's last two characters: 机关党建品牌933个 for 党建品牌)."""
        noun = self.noun or self.subject
        if len(noun) < 2:
            return False
        heads = {noun, noun[-2:]}
        for a, b in spans:  # (a modifier of up to two characters between: 1600多所镇街党校)
            after = text[b : b + len(noun) + 3].lstrip("“”「」")
            before = text[max(a - len(noun) - 1, 0) : a].rstrip("“”「」")
            if any(h in after[: len(h) + 2] or before.endswith(h) for h in heads):
                return True
        return False


_TITLE = re.compile(r"《[^《》]{1,60}》")


def _past_titles(text: str) -> Callable[[int], int]:
    """Positions in ``text`` as if each book title were its two marks only: 张义珍就《…》作
    说明 has the name next to 说明 however long the title."""
    titles = [m.span() for m in _TITLE.finditer(text)]
    if not titles:
        return lambda i: i

    def position(i: int) -> int:
        return i - sum(max(0, min(i, b - 1) - (a + 1)) for a, b in titles)

    return position


def _unit_pattern(unit: str) -> str:
    if unit and unit in "人名位":  # people: 1.5万多人, 18.55万名, or a bare 150万 (not 150万元)
        return r"(?:[人名位]|(?<=\d[万亿])(?![多余]?[\u4e00-\u9fff]))"
    for cls in _UNIT_CLASSES:
        if unit in cls:
            return f"[{cls}]"
    return f"(?:{re.escape(unit)}|个)" if counted_unit(unit) else re.escape(unit)


def counted_unit(unit: str) -> bool:
    """Whether ``unit`` counts things or people (所, 个, 名), not time, money or length."""
    return len(unit) == 1 and unit not in _NOT_FOR_个 and unit not in "万亿次期届轮回遍趟代级号批场"


def _counted(after: str) -> str:
    """The noun right after a question's 多少 (and its measure word), up to a particle."""
    m = _COUNTED.match(_PARTICLES.split(after, maxsplit=1)[0])
    return m.group(0) if m else ""


def _count(question: str) -> AnswerType | None:
    """多少所 / 几支 / 多长 / 多少党员: a number, in the asked unit when it names one."""
    for asked, units in _DIMENSIONS:
        found = asked.search(question)
        if found:
            pattern = re.compile(rf"(?:{_NUM}|半)\s*[多余整个]?\s*(?:万|亿)?(?:{units})")
            return AnswerType("number", pattern, found.group(0))
    m = _HOW_MANY.search(question)
    if m is None or "哪些" in question[: m.start()]:
        return None  # (哪些 ... 列几个: it asks which, not how many)
    unit = m.group(1)
    if question[m.end() : m.end() + 1] == "级":  # 多少局级干部: 局级 is a rank, no measure
        unit = ""
    times = _TIMES.match(question, m.start(1))
    if times:  # 多少人次: a number of 人次, not of people (1500名干部 is no 人次)
        count = rf"{_NUM}{_ABOUT}(?:(?:万|亿){_ABOUT})?{times.group()}"
        return AnswerType("number", re.compile(count), times.group())
    if unit == "人" and question[m.end() : m.end() + 1] in _PEOPLE_NOUN_ENDS:
        unit = ""  # 多少人口, 多少人次: a noun, not the measure word 人
    if unit and unit in _MEASURE_WORDS and question[m.end() : m.end() + 1] == "员":
        return _people(unit + "员")  # 多少队员, 多少组员: people, not teams
    rest = question[m.end() :]
    counted = _counted(rest)
    subject = "" if _HAN.search(rest) else _noun_before(question[: m.start()])
    people = "" if _THING_HEAD.search(counted) else people_in(counted or subject)
    if unit == "个" and people:
        return _people(people, also="个")  # 多少个干部: people, in 人, 名 or 个
    if unit and unit in _MEASURE_WORDS:
        number = r"\d+(?:\.\d+)?" if unit in _DIGITS_ONLY else _NUM  # (一分, 一宗: no count)
        count = rf"{number}{_ABOUT}(?:(?:万|亿){_ABOUT})?{_unit_pattern(unit)}"
        return AnswerType("number", re.compile(count), unit, counted, subject)
    noun = _counted(question[m.start(1) :])
    if people := people_in(noun):
        return _people(people)  # 多少党员: a number of people
    return AnswerType("number", re.compile(r"\d+(?:\.\d+)?\s*[多余]?\s*[万亿%]?"), "", noun)


_HAN = re.compile(r"[\u4e00-\u9fff]")
_BEFORE_HOW_MANY = re.compile(
    r"([\u4e00-\u9fff]{1,6}?)(?:的)?(?:数量|总数|数目)?(?:一共|总共|共|总计|合计|大约|大概|约)?"
    r"(?:有|是|为|达)?$"
)


def _noun_before(before: str) -> str:
    """The noun a question counts when it names it before 多少 (干部学院一共有多少所)."""
    m = _BEFORE_HOW_MANY.search(before)
    return _PARTICLES.split(m.group(1))[-1] if m else ""


def _money_noun(before: str) -> str:
    """The sum a money question asks the amount of, when it names one before 多少钱 (党内
    关爱资金, 党建工作经费), or ""."""
    noun = _noun_before(before)
    return noun if _MONEY_NOUN.search(noun) else ""


def people_in(noun: str) -> str:
    """The people noun ``noun`` starts with (党组书记 in 党组书记上), or ""."""
    return next((noun[:i] for i in range(len(noun), 1, -1) if PEOPLE_NOUN.match(noun[:i])), "")


def _people(noun: str, also: str = "") -> AnswerType:
    """A count of people (党员, 队员): a number in 人, 名 or 位, or in ``also``, the measure
    word the question used, when nothing or those people follow it (300个干部; not 1139个
    乡镇)."""
    unit = _unit_pattern("人")
    if also:  # 300个 or 300个干部, not 1139个乡镇 (another noun counted)
        unit += f"|{also}(?![\u4e00-\u9fff])"
        unit += f"|{also}(?={PEOPLE_WORD.pattern}" + (f"|{re.escape(noun)})" if noun else ")")
    if noun:  # or the number right before them: 90多万居民
        unit += f"|(?={re.escape(noun)})"
    count = rf"{_NUM}{_ABOUT}(?:(?:万|亿){_ABOUT})?(?:{unit})"
    return AnswerType("number", re.compile(count), "人", noun)


def _trailing(question: str) -> AnswerType | None:
    """经费是多少 / 党员一共有多少: 多少 at the end, after the noun it asks about; money for
    a sum (经费, 投资), people for people (党员, 队员); None when the noun does not tell."""
    m = _TRAILING_HOW_MANY.search(question)
    if m is None:
        return None
    noun = _PARTICLES.split(m.group(1))[-1] or m.group(1)
    if _MONEY_NOUN.search(noun):
        return AnswerType("money", _MONEY, subject=noun)
    if PEOPLE_NOUN.search(noun):
        return _people(noun)
    return None


LIST_HEAD = 8  # characters after a list's number in which it names what it lists
# Which N things (哪三个, 边三个, or 三大… 分别是哪几个): a list of N, by number.
_NUMERALS = "一二两三四五六七八九十"
_VALUES = {c: v for c, v in zip(_NUMERALS, (1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10), strict=True)}
_LIST_MEASURE = "个大项条家所座种类位支"
_WHICH_N = re.compile(
    rf"(?:哪|(?:^|(?<=[系是喺指]))边)([{_NUMERALS[1:]}]|\d)[{_LIST_MEASURE}]"
)  # (边 after 是/系 or first: not 西江边两个村)
# A count in the question and what it counts, up to a particle or the question (三个大平台,
# 三大合作平台系边三个 -> 合作平台).
_COUNTED_N = re.compile(rf"(?<![{_NUMERALS}十百千零\d])(?:[{_NUMERALS[1:]}]|\d)[{_LIST_MEASURE}]")
_LIST_NOUN_END = re.compile(r"[^\u4e00-\u9fff]|[的了是在呢吗啊呀系为有]|分别|具体|[哪边]")
_LIST_LEAD = re.compile(r"([\u4e00-\u9fff]+?)(?:一共|总共|共|有|是|哪|边|分别)*$")
_N_THEN_WHICH = re.compile(
    rf"(?<![{_NUMERALS}十百千零\d])([{_NUMERALS[1:]}]|\d)[{_LIST_MEASURE}]"
    r"[^，。？！,?!]{0,12}?(?:分别|[哪边]几)"
)


def _listed(question: str) -> AnswerType | None:
    """A question asking which N things (哪三个, 三大平台分别是哪几个): its answer lists N
    items with 、 and then says N (横琴、前海、南沙三个), in Chinese numerals or digits."""
    m = _WHICH_N.search(question) or _N_THEN_WHICH.search(question)
    if m is None or _WHO_Q.search(question):  # (三位省领导分别是谁: who, not a list)
        return None
    n = m.group(1)
    count = int(n) if n.isdigit() else _VALUES[n]
    if not 2 <= count <= 10:
        return None
    numeral = "(?:" + "|".join([str(count), *(c for c, v in _VALUES.items() if v == count)]) + ")"
    item = r"[\u4e00-\u9fff]{1,10}"
    listed = [
        _LIST_NOUN_END.split(question[c.end() :], maxsplit=1)[0]
        for c in _COUNTED_N.finditer(question)
    ]
    noun = next((w for w in listed if w and w not in PLACE_KINDS | _GENERIC_WHAT), "")
    if not noun:  # 重大合作平台一共三个, 是哪三个: what is counted comes before the count
        first = _COUNTED_N.search(question)
        before = _LIST_LEAD.search(question[: first.start()]) if first else None
        noun = before.group(1)[-6:] if before else ""
    return AnswerType(
        "list",
        re.compile(rf"(?:{item}、){{{count - 1}}}{item}?{numeral}[{_LIST_MEASURE}]"),
        noun=noun,
    )


# An item of a list asked by its number (第三点, 第一条理由, 第2个方面, 第三件): a passage
# writing that item's mark (三是, 三要, 第三, （三）) gives it.
ITEM_ASKED = re.compile(
    r"第([一二三四五六七八九十]|[1-9])(?:点|条|项|件|样|招|步|方面|部分|是|要"
    r"|个(?:方面|理由|要求|措施|任务|原因|特点|部分|目标))"  # (not 第一个建立: the first to)
)


def item_marks(n: str) -> tuple[str, ...]:
    """The ways a list marks its item ``n`` (一 to 十, or a digit): 四是, 四要, 第四, （四）."""
    if n.isdigit():  # (二, not 两: the first numeral of its value)
        n = next(c for c, v in _VALUES.items() if v == int(n))
    return (f"{n}是", f"{n}要", f"第{n}", f"（{n}）", f"({n})")


def _item(question: str) -> AnswerType | None:
    """第三点是什么: a passage marking that item (三是, 第三) is the answer's kind."""
    m = ITEM_ASKED.search(question)
    if m is None:
        return None
    marks = "|".join(re.escape(mark) for mark in item_marks(m.group(1)))
    return AnswerType("item", re.compile(rf"(?:^|(?<=[。；;，,：:！？\s]))(?:{marks})"))


def _thing_named(question: str) -> bool:
    """Whether the only "who" of ``question`` is 什么名字 after something that is no person
    (这个模式叫什么名字), so the name asked is that thing's."""
    m = _NAME_OF.search(question)
    if m is None or _WHO_Q.search(_NAME_OF.sub("", question)):
        return False
    before = m.group(1)
    return bool(before) and not re.search(
        rf"{PEOPLE_WORD.pattern}|{ROLE_WORD.pattern}|{'|'.join(KINDS_OF_PEOPLE)}"
        r"|人|他|她|谁|位|长|员|者|手|主席|教授|记者|作者",
        before,
    )


def _who(question: str) -> AnswerType:
    """谁: a name after a post or before 同志; the post the question names first (书记是谁
    wants the name that follows 书记)."""
    role = ROLE_WORD.search(question)
    if role is not None:  # the post as the question names it (深圳市委书记) is its unit
        post = re.search(rf"[\u4e00-\u9fff]{{0,4}}{role.group(0)}", question)
        full = post.group(0) if post else role.group(0)
        pattern = re.compile(rf"{role.group(0)}{_NOT_A_NAME}\s?[\u4e00-\u9fff]{{2,3}}")
        return AnswerType("person", pattern, unit=full)
    return AnswerType("person", _PERSON)


# A quotation inside a question (列明“哪些人不能入党”的清单有几条) names something; its
# question words do not ask.
_QUOTED = re.compile(r'“[^“”]{1,40}”|「[^「」]{1,40}」|『[^『』]{1,40}』|"[^"]{1,40}"')


def _unquoted(question: str) -> str:
    """``question`` with each quotation's inside blanked (same length, no Han characters),
    but for a quotation that is the whole question (“…有多少个？”)."""

    def blank(m: re.Match[str]) -> str:
        whole = m.start() == 0 and m.end() >= len(question.rstrip("？?。！! "))
        return m.group() if whole else m.group()[0] + "□" * (len(m.group()) - 2) + m.group()[-1]

    return _QUOTED.sub(blank, question)


def expected_answer(question: str) -> AnswerType | None:
    """The answer type of ``question`` (in the matching form), or None if it does not tell.
    Question words inside a quotation do not count."""
    question = _unquoted(question)
    if _YEAR_RANGE_Q.search(question):
        return AnswerType("year_range", _YEAR_RANGE)
    if _YEAR_Q.search(question):
        return AnswerType("year", _YEAR)
    if _DATE_Q.search(question):
        return AnswerType("date", _DATE)
    money = _MONEY_Q.search(question)
    if money:  # (of what: 党内关爱资金一共有多少钱)
        return AnswerType("money", _MONEY, subject=_money_noun(question[: money.start()]))
    trailing = _trailing(question)
    if trailing is not None:
        return trailing
    count = _count(question)
    if count is not None:
        return count
    listed = _listed(question)
    if listed is not None:  # 三大合作平台是哪三个: 横琴、前海、南沙三个重大合作平台
        return listed
    if _WHERE_Q.search(question) and _HELD.search(question):  # 会议在哪个城市开的
        return AnswerType("place", _HELD_AT)
    if _WHO_Q.search(question) and _thing_named(question):
        return None  # 这个模式叫什么名字: the name of a thing, not of a person
    if _WHO_Q.search(question) and not _WHAT_X.search(_WHO_Q.sub("", question)):
        return _who(question)  # 叫什么名字 asks for a person
    named = NAMED_ATTRIBUTE.search(question)
    if named:  # 主题是什么: a passage saying 主题是“…”
        return AnswerType("named", re.compile(rf"{named.group(1)}(?:是|为|[:：])"))
    if _MANNER_Q.search(question):  # 用什么方式开: 以电视电话会议形式
        return AnswerType("manner", _MANNER)
    item = _item(question)
    if item is not None:  # 第一条理由是啥: 一要…
        return item
    m = _WHAT_X.search(question)
    if m:
        noun = _PARTICLES.split(m.group(1), maxsplit=1)[0]
        if noun and noun[0] not in "年月日天号" and noun not in PLACE_KINDS | _GENERIC_WHAT:
            return AnswerType("thing", re.compile(rf"[\u4e00-\u9fff]{re.escape(noun)}"))
    if _WHO_Q.search(question):
        return _who(question)
    return None
