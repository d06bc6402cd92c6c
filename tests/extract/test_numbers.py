"""The number extractor: numbers, units, kind, approximation and direction, read from characters."""
from __future__ import annotations

import math

import pytest

from fazhi.extract import DocContext, extract_figures
from fazhi.extract.numbers import find_quantities
from fazhi.normalize import normalize

# Each case: text, then every quantity expected in it, in order, as
# (surface, value, unit, kind, approx, direction, value_max). An empty list means nothing is a figure.
E, O, U, A = "exact", "over", "under", "about"

FORMS = [
    # Arabic digits, decimals, thousands separators
    ("受理案件431件", [("431件", 431, "件", "count", E, None, None)]),
    ("结案率达95.74%", [("95.74%", 95.74, "%", "rate", E, None, None)]),
    ("共审结1,234件", [("1,234件", 1234, "件", "count", E, None, None)]),
    ("执行到位金额12,345.6万元", [("12,345.6万元", 123456000, "元", "amount", E, None, None)]),
    ("回收测评表3636份", [("3636份", 3636, "份", "count", E, None, None)]),
    ("执行结案平均用时99.52天", [("99.52天", 99.52, "天", "duration", E, None, None)]),
    ("覆盖24847人", [("24847人", 24847, "人", "count", E, None, None)]),
    ("生效案件改判发回重审率0.08%", [("0.08%", 0.08, "%", "rate", E, None, None)]),
    ("院庭长结案 31006件", [("31006件", 31006, "件", "count", E, None, None)]),
    ("检查0件", [("0件", 0, "件", "count", E, None, None)]),
    # multipliers
    ("修复后履行标的额2.98亿元", [("2.98亿元", 298000000, "元", "amount", E, None, None)]),
    ("涉案财产处置到位12.08亿元", [("12.08亿元", 1208000000, "元", "amount", E, None, None)]),
    ("发放救助金16.4万元", [("16.4万元", 164000, "元", "amount", E, None, None)]),
    ("汇聚各类数据3000亿条", [("3000亿条", 3e11, "条", "count", E, None, None)]),
    ("建筑面积117.98万平方米", [("117.98万平方米", 1179800, "平方米", "measure", E, None, None)]),
    ("受理案件43万6千件", [("43万6千件", 436000, "件", "count", E, None, None)]),
    ("标的额11亿461万5千元", [("11亿461万5千元", 1104615000, "元", "amount", E, None, None)]),
    ("社会融资规模3万亿元", [("3万亿元", 3e12, "元", "amount", E, None, None)]),
    ("赔偿3百万港元", [("3百万港元", 3e6, "港元", "amount", E, None, None)]),
    ("涉案金额5千万元", [("5千万元", 5e7, "元", "amount", E, None, None)]),
    ("服务群众10万人次", [("10万人次", 100000, "人次", "count", E, None, None)]),
    # Chinese numerals and mixed forms
    ("确立十项检察工作重点项目", [("十项", 10, "项", "count", E, None, None)]),
    ("共有两千名干警参加", [("两千名", 2000, "名", "count", E, None, None)]),
    ("审结一千二百件", [("一千二百件", 1200, "件", "count", E, None, None)]),
    ("挽回损失二十七点三亿元", [("二十七点三亿元", 2.73e9, "元", "amount", E, None, None)]),
    ("共二十余人参加", [("二十余人", 20, "人", "count", O, None, None)]),
    ("盘踞河畔十余年的养牛场", [("十余年", 10, "年", "duration", O, None, None)]),
    ("受理一百零五件", [("一百零五件", 105, "件", "count", E, None, None)]),
    ("三万五千元", [("三万五千元", 35000, "元", "amount", E, None, None)]),
    ("共十五名干警", [("十五名", 15, "名", "count", E, None, None)]),
    ("十几人受伤", [("十几人", 10, "人", "count", O, None, None)]),
    ("出动警力三百人次", [("三百人次", 300, "人次", "count", E, None, None)]),
    # 余 and 多, with their position
    ("涉及工资款达670万余元", [("670万余元", 6.7e6, "元", "amount", O, None, None)]),
    ("挽回经济损失300余万元", [("300余万元", 3e6, "元", "amount", O, None, None)]),
    ("共排查案件6万多件", [("6万多件", 60000, "件", "count", O, None, None)]),
    ("连续开展30多期", [("30多期", 30, "期", "count", O, None, None)]),
    ("全市750余名检察人员", [("750余名", 750, "名", "count", O, None, None)]),
    ("到位标的额1300余万元", [("1300余万元", 1.3e7, "元", "amount", O, None, None)]),
    ("破产财产变现资金共计4400余万元", [("4400余万元", 4.4e7, "元", "amount", O, None, None)]),
    ("历时1个多月", [("1个多月", 1, "个月", "duration", O, None, None)]),
    ("办案周期10年余", [("10年余", 10, "年", "duration", O, None, None)]),
    # other approximation words
    ("出台相关文件近30件", [("近30件", 30, "件", "count", U, None, None)]),
    ("认罪认罚适用比例稳定在86.7%以上", [("86.7%以上", 86.7, "%", "rate", O, None, None)]),
    ("覆盖率达90%以上", [("90%以上", 90, "%", "rate", O, None, None)]),
    ("争取近500平方米场地", [("近500平方米", 500, "平方米", "measure", U, None, None)]),
    ("涉案超过100万港元", [("超过100万港元", 1e6, "港元", "amount", O, None, None)]),
    ("约有2000名政法干警参加", [("约有2000名", 2000, "名", "count", A, None, None)]),
    ("不到3分钟就反馈", [("不到3分钟", 3, "分钟", "duration", U, None, None)]),
    ("事务性工作基本3分钟内办结", [("3分钟内", 3, "分钟", "duration", U, None, None)]),
    ("用时不超过5分钟", [("不超过5分钟", 5, "分钟", "duration", U, None, None)]),
    ("逾千人参加", [("逾千人", 1000, "人", "count", O, None, None)]),
    ("上百件积案", [("上百件", 100, "件", "count", O, None, None)]),
    ("近千名群众", [("近千名", 1000, "名", "count", U, None, None)]),
    ("大约300人", [("大约300人", 300, "人", "count", A, None, None)]),
    ("约5000元", [("约5000元", 5000, "元", "amount", A, None, None)]),
    ("1000元左右", [("1000元左右", 1000, "元", "amount", A, None, None)]),
    ("海拔450米以上", [("450米以上", 450, "米", "measure", O, None, None)]),
    ("不足10%", [("不足10%", 10, "%", "rate", U, None, None)]),
    ("至少3次", [("至少3次", 3, "次", "count", O, None, None)]),
    ("逾3000件", [("逾3000件", 3000, "件", "count", O, None, None)]),
    ("超2万件", [("超2万件", 20000, "件", "count", O, None, None)]),
    ("将近一千名", [("将近一千名", 1000, "名", "count", U, None, None)]),
    ("不少于20人", [("不少于20人", 20, "人", "count", O, None, None)]),
    ("控制在5%以内", [("5%以内", 5, "%", "rate", U, None, None)]),
    ("应在15个工作日内办结", [("15个工作日内", 15, "天", "duration", U, None, None)]),
    ("30日内作出决定", [("30日内", 30, "天", "duration", U, None, None)]),
    ("近3年来共审结", [("近3年", 3, "年", "duration", E, None, None)]),
    ("在押5年以上", [("5年以上", 5, "年", "duration", O, None, None)]),
    # tenths with 成
    ("8成案件当庭宣判", [("8成", 80, "%", "rate", E, None, None)]),
    ("超过五成", [("超过五成", 50, "%", "rate", O, None, None)]),
    ("七成以上的纠纷", [("七成以上", 70, "%", "rate", O, None, None)]),
    ("两成", [("两成", 20, "%", "rate", E, None, None)]),
    ("收案下降两成", [("两成", 20, "%", "change", E, "down", None)]),
    # fractions and percentages written in words
    ("全院三分之一的干警", [("三分之一", 100 / 3, "%", "rate", E, None, None)]),
    ("全院1/3的法官审理3/4的民事案件", [("1/3", 100 / 3, "%", "rate", E, None, None),
                                      ("3/4", 75, "%", "rate", E, None, None)]),
    ("5分之1的案件", [("5分之1", 20, "%", "rate", E, None, None)]),
    ("占百分之4.7", [("百分之4.7", 4.7, "%", "rate", E, None, None)]),
    ("近百分之一", [("近百分之一", 1, "%", "rate", U, None, None)]),
    ("百分之百", [("百分之百", 100, "%", "rate", E, None, None)]),
    ("千分之三", [("千分之三", 0.3, "%", "rate", E, None, None)]),
    ("三分之二以上", [("三分之二以上", 200 / 3, "%", "rate", O, None, None)]),
    ("案件量下降了三分之一", [("三分之一", 100 / 3, "%", "change", E, "down", None)]),
    ("占嫌疑犯之二成五", [("二成五", 25, "%", "rate", E, None, None)]),
    ("差错率3‰", [("3‰", 0.3, "%", "rate", E, None, None)]),
    # ratios
    ("优化降低“案-件比”至1:1.104", [("1:1.104", 1.104, "ratio", "ratio", E, None, None)]),
    ("案件比为1比1.1", [("1比1.1", 1.1, "ratio", "ratio", E, None, None)]),
    ("案件比1:1.25,全省领先", [("1:1.25", 1.25, "ratio", "ratio", E, None, None)]),
    ("男女比例为2:1", [("2:1", 0.5, "ratio", "ratio", E, None, None)]),
    # ranges
    ("每名法官负责1-2个知识点", [("1-2个", 1, "个", "count", E, None, 2)]),
    ("每案1—2个", [("1—2个", 1, "个", "count", E, None, 2)]),
    ("办理10至20件", [("10至20件", 10, "件", "count", E, None, 20)]),
    ("每年10到20件", [("10到20件", 10, "件", "count", E, None, 20)]),
    ("罚款10~20万元", [("10~20万元", 100000, "元", "amount", E, None, 200000)]),
    ("两到三万元", [("两到三万元", 20000, "元", "amount", E, None, 30000)]),
    ("建设周期3至5年", [("3至5年", 3, "年", "duration", E, None, 5)]),
    ("占比5%-10%", [("5%-10%", 5, "%", "rate", E, None, 10)]),
    ("十至二十件", [("十至二十件", 10, "件", "count", E, None, 20)]),
    # compound groups
    ("提前介入涉疫情犯罪案件31件39人", [("31件", 31, "件", "count", E, None, None),
                                   ("39人", 39, "人", "count", E, None, None)]),
    ("办理2.2万件2.6万人", [("2.2万件", 22000, "件", "count", E, None, None),
                       ("2.6万人", 26000, "人", "count", E, None, None)]),
    ("审结369件1719人", [("369件", 369, "件", "count", E, None, None),
                      ("1719人", 1719, "人", "count", E, None, None)]),
    ("共审结“保护伞”案件12件12人", [("12件", 12, "件", "count", E, None, None),
                              ("12人", 12, "人", "count", E, None, None)]),
    ("发现37个方面131个问题", [("37个", 37, "个", "count", E, None, None),
                         ("131个", 131, "个", "count", E, None, None)]),
    # currencies
    ("罚款500万港元", [("500万港元", 5e6, "港元", "amount", E, None, None)]),
    ("涉案港币200万元", [("港币200万元", 2e6, "港元", "amount", E, None, None)]),
    ("赔偿新台币3亿元", [("新台币3亿元", 3e8, "新台币", "amount", E, None, None)]),
    ("罚金30万新台币", [("30万新台币", 3e5, "新台币", "amount", E, None, None)]),
    ("涉及款项1.2亿澳门元", [("1.2亿澳门元", 1.2e8, "澳门元", "amount", E, None, None)]),
    ("罚款5000澳门币", [("5000澳门币", 5000, "澳门元", "amount", E, None, None)]),
    ("洗钱金额达3000万美元", [("3000万美元", 3e7, "美元", "amount", E, None, None)]),
    ("冻结200万欧元", [("200万欧元", 2e6, "欧元", "amount", E, None, None)]),
    ("追缴100万元人民币", [("100万元", 1e6, "元", "amount", E, None, None)]),
    ("民事事件2万1,456件", [("2万1,456件", 21456, "件", "count", E, None, None)]),
    ("涉款HK$500万", [("HK$500万", 5e6, "港元", "amount", E, None, None)]),
    # durations and measures
    ("平均审理时长控制在19天内", [("19天内", 19, "天", "duration", U, None, None)]),
    ("24小时全天候视频巡查", [("24小时", 24, "小时", "duration", E, None, None)]),
    ("用3年时间建成", [("3年", 3, "年", "duration", E, None, None)]),
    ("五任法官跨越13年", [("13年", 13, "年", "duration", E, None, None)]),
    ("一年半", []),
    ("羁押3个半月", [("3个半月", 3.5, "个月", "duration", E, None, None)]),
    ("3周内", [("3周内", 3, "周", "duration", U, None, None)]),
    ("45秒", [("45秒", 45, "秒", "duration", E, None, None)]),
    ("土地面积1533.3亩", [("1533.3亩", 1533.3, "亩", "measure", E, None, None)]),
    ("巡逻里程2000公里", [("2000公里", 2000, "公里", "measure", E, None, None)]),
    ("收缴毒品12.5公斤", [("12.5公斤", 12.5, "公斤", "measure", E, None, None)]),
    ("查获3吨", [("3吨", 3, "吨", "measure", E, None, None)]),
    ("治理面积30公顷", [("30公顷", 30, "公顷", "measure", E, None, None)]),
    # small Chinese-numeral counts: only people or cases, or a time limit, or a count per period
    ("邀请两名专家", [("两名", 2, "名", "count", E, None, None)]),
    ("法检司三家联合", [("三家", 3, "家", "count", E, None, None)]),
    ("七日内程序性回复", [("七日内", 7, "天", "duration", U, None, None)]),
    ("三个月内办理结果答复", [("三个月内", 3, "个月", "duration", U, None, None)]),
    ("大讲堂每月安排一期", [("一期", 1, "期", "count", E, None, None)]),
    ("半年内", [("半年内", 0.5, "年", "duration", U, None, None)]),
    # tables flattened with pipes
    ("| 类别 | 收案(件) | 同比(%) |\n| 刑事 | 59 225 | -7.78 |", [
        ("59 225", 59225, "件", "count", E, None, None), ("-7.78", 7.78, "%", "change", E, "down", None)]),
    ("单位:万元\n| 项目 | 金额 | 增幅 |\n| 执行到位 | 1,250.5 | 12.3% |", [
        ("1,250.5", 12505000, "元", "amount", E, None, None), ("12.3%", 12.3, "%", "change", E, "up", None)]),
    ("| 地区 | 结案率 |\n|---|---|\n| 甲县 | 98.5 |", [("98.5", 98.5, "%", "rate", E, None, None)]),
    ("| 年份 | 收案数 |\n| 2020 | 1234件 |", [("1234件", 1234, "件", "count", E, None, None)]),
    ("| 项目 | 数量 |\n| 刑事 | 1234 |", []),
]

CHANGE = [
    ("有财产可供执行案件实际执结率99.8%,同比上升2.14%", [
        ("99.8%", 99.8, "%", "rate", E, None, None), ("2.14%", 2.14, "%", "change", E, "up", None)]),
    ("败诉率5.9%,同比下降6.1个百分点", [
        ("5.9%", 5.9, "%", "rate", E, None, None), ("6.1个百分点", 6.1, "pp", "change", E, "down", None)]),
    ("结案率达95.74%,同比提高1.88个百分点", [
        ("95.74%", 95.74, "%", "rate", E, None, None), ("1.88个百分点", 1.88, "pp", "change", E, "up", None)]),
    ("未结案件数量同比减少41.52%", [("41.52%", 41.52, "%", "change", E, "down", None)]),
    ("长期未结案降幅达67.52%", [("67.52%", 67.52, "%", "change", E, "down", None)]),
    ("结案平均用时缩短65.2天", [("65.2天", 65.2, "天", "change", E, "down", None)]),
    ("查控平均用时15.4天,较改革前减少45.7天", [
        ("15.4天", 15.4, "天", "duration", E, None, None), ("45.7天", 45.7, "天", "change", E, "down", None)]),
    ("比全省平均值(113.09天)少13.57天", [
        ("113.09天", 113.09, "天", "duration", E, None, None), ("13.57天", 13.57, "天", "change", E, "down", None)]),
    ("执行到位率同比提高17.81%,高于全国平均值11个百分点", [
        ("17.81%", 17.81, "%", "change", E, "up", None), ("11个百分点", 11, "pp", "change", E, "up", None)]),
    ("节省庭审时间40%", [("40%", 40, "%", "change", E, "down", None)]),
    ("平均用时17天,比同期提升53%", [
        ("17天", 17, "天", "duration", E, None, None), ("53%", 53, "%", "change", E, "up", None)]),
    ("同比增长5.6倍", [("5.6倍", 5.6, "倍", "change", E, "up", None)]),
    # A multiple of a baseline is a change: up above one, down below it.
    ("是前五年的3.2倍", [("3.2倍", 3.2, "倍", "change", E, "up", None)]),
    ("为去年同期的0.8倍", [("0.8倍", 0.8, "倍", "change", E, "down", None)]),
    ("相当于上年的1.5倍", [("1.5倍", 1.5, "倍", "change", E, "up", None)]),
    ("年均上升10.9%", [("10.9%", 10.9, "%", "change", E, "up", None)]),
    ("提高到99.4%", [("99.4%", 99.4, "%", "rate", E, None, None)]),
    ("案件平均审理周期缩短至10天", [("10天", 10, "天", "duration", E, None, None)]),
    ("收案数降至1200件", [("1200件", 1200, "件", "count", E, None, None)]),
    ("首次执行案件实际执结率提升3.03%", [("3.03%", 3.03, "%", "change", E, "up", None)]),
    ("同比分别下降5.2%和3.1%", [("5.2%", 5.2, "%", "change", E, "down", None),
                          ("3.1%", 3.1, "%", "change", E, "down", None)]),
    ("同比增加31件39人", [("31件", 31, "件", "change", E, "up", None), ("39人", 39, "人", "change", E, "up", None)]),
    ("下降了20个百分点", [("20个百分点", 20, "pp", "change", E, "down", None)]),
    ("相差20个百分点", [("20个百分点", 20, "pp", "change", E, None, None)]),
    ("增幅为12.5%", [("12.5%", 12.5, "%", "change", E, "up", None)]),
    ("同比下降近5%", [("近5%", 5, "%", "change", U, "down", None)]),
    ("环比增长8.8%", [("8.8%", 8.8, "%", "change", E, "up", None)]),
    ("同比-3.5%", [("-3.5%", 3.5, "%", "change", E, "down", None)]),
    ("同比增3.5%", [("3.5%", 3.5, "%", "change", E, "up", None)]),
    ("较去年同期上涨12%", [("12%", 12, "%", "change", E, "up", None)]),
    ("审限内结案率比上年提高2.1个百分点", [("2.1个百分点", 2.1, "pp", "change", E, "up", None)]),
    ("超过同期受理民商事案件的60%", [("60%", 60, "%", "rate", O, None, None)]),
    ("占一审立案数量的59.26%", [("59.26%", 59.26, "%", "rate", E, None, None)]),
    ("执行案件制裁违法率为117.96%", [("117.96%", 117.96, "%", "rate", E, None, None)]),
    ("新增5家", [("5家", 5, "家", "count", E, None, None)]),
    ("节省人力“跑腿”2350人次", [("2350人次", 2350, "人次", "count", E, None, None)]),
    ("同比上升了0.5个百分点", [("0.5个百分点", 0.5, "pp", "change", E, "up", None)]),
    ("降低成本30%", [("30%", 30, "%", "change", E, "down", None)]),
    ("结案率高于95%", [("高于95%", 95, "%", "rate", O, None, None)]),
    ("收案同比增加120件", [("120件", 120, "件", "change", E, "up", None)]),
    ("增速回落1.2个百分点", [("1.2个百分点", 1.2, "pp", "change", E, "down", None)]),
    ("结案率高于全省1.2个百分点", [("1.2个百分点", 1.2, "pp", "change", E, "up", None)]),
    ("上诉率低于2个百分点", [("2个百分点", 2, "pp", "change", E, "down", None)]),
    ("比例下降3%", [("3%", 3, "%", "change", E, "down", None)]),
    ("设立二十个服务窗口", [("二十个", 20, "个", "count", E, None, None)]),
    ("提高了办案效率30%", [("30%", 30, "%", "change", E, "up", None)]),
    ("同比下降两个百分点", [("两个百分点", 2, "pp", "change", E, "down", None)]),
    ("诈骗案增加45.1%至27 923宗", [("45.1%", 45.1, "%", "change", E, "up", None),
                              ("27 923宗", 27923, "宗", "count", E, None, None)]),
    ("录得罪案70 048宗", [("70 048宗", 70048, "宗", "count", E, None, None)]),
    ("平均结案日数为62.3日,较上年度缩短1.2日", [("62.3日", 62.3, "天", "duration", E, None, None),
                                       ("1.2日", 1.2, "天", "change", E, "down", None)]),
    ("发案率同比下降了17.3%", [("17.3%", 17.3, "%", "change", E, "down", None)]),
]

RANKS = [
    ("深州综合排名全省168个县市区第18名", [("168个", 168, "个", "count", E, None, None),
                                   ("第18名", 18, "rank", "rank", E, None, None)]),
    ("深州位居全省第25名、全市第1名", [("第25名", 25, "rank", "rank", E, None, None),
                                ("第1名", 1, "rank", "rank", E, None, None)]),
    ("位居全市第一、全省前列", [("第一", 1, "rank", "rank", E, None, None)]),
    ("执行质效总体排名全省第三。", [("第三", 3, "rank", "rank", E, None, None)]),
    ("群众满意度在全省排名第一,受到肯定", [("第一", 1, "rank", "rank", E, None, None)]),
    ("虚假诉讼打击数居全省首位", [("首位", 1, "rank", "rank", E, None, None)]),
    ("考核名列全省第2位", [("第2位", 2, "rank", "rank", E, None, None)]),
    ("荣获第十二名", [("第十二名", 12, "rank", "rank", E, None, None)]),
]

NOT_FIGURES = [
    "2020年,全市法院",
    "二〇一九年工作报告",
    "102年度司法统计",
    "民国109年",
    "今年5月20日,一起故意伤害案",
    "2023-03-28 08:22来源:法治网",
    "上午9:30开庭",
    "学习党的十九届四中全会精神",
    "学习《习近平谈治国理政》第三卷",
    "第一审判庭",
    "运用第一种形态",
    "(2020)浙10民初123号",
    "（2020）粤03刑终456号判决",
    "依照刑法第二百六十四条",
    "依照刑法第264条之规定",
    "拨打12368热线",
    "开通12345政务服务热线",
    "京ICP备14028866号-1",
    "Copyright 2015 www.example.com",
    "http://www.court.gov.cn/2020/12/art_123.html",
    "在全省“三个一”主题活动中",
    "“六个一”活动为抓手",
    "“五个必须”",
    "落实“两个维护”",
    "做优“四大检察”",
    "“2+1+1”模式的速裁团队",
    "“1+N”多元解纷模式",
    "“2·23”专案",
    "两级法院",
    "一站式多元解纷",
    "一把手负责制",
    "收案数实现三连降",
    "“四类案件”监管",
    "四类案件",
    "07版",
    "表1",
    "见图2",
    "桃城、武邑、深州、故城四县(市、区)政法委",
    "镇海、鄞州两区先行试点",
    "整改一项、销号一项",
    "一起故意伤害案",
    "开展一次案件集中评查活动",
    "突出四项重点",
    "把握一个核心",
    "树立四个意识",
    "十个坚持",
    "七个一律",
    "十三五期间",
    "十四五规划",
    "党的十八大以来",
    "上半年",
    "2015年以来的首次下降",
    "1至9月份",
    "今年1—7月",
    "2019-2020年度",
    "截至9月底",
    "千家万户",
    "千方百计",
    "数十人",
    "零容忍",
    "零件",
    "5G网络",
    "COVID-19疫情",
    "3·15消费者权益日",
    "110宣传日",
    "八家子水果市场",
    "召开21场座谈会"[4:],
    "每一名农民工",
    "一成不变",
    "前3名",
    "20日上午",
    "2021起",
    "建院70周年",
    "90年代",
    "3年级学生",
    "全市1000余家"[:3],
    "五家渠市",
    "七台河市",
    "三门峡市",
    "12部门联合发文",
    "实现零的突破",
    "一案三评",
    "两代表一委员",
    "三单乡",
    "一周时间",
    "两大重点项目",
    "四县",
    "八类重点",
    "判处十年以上有期徒刑的罪犯",
    "判处5年以上有期徒刑",
    "浏览次数:1234次",
    "阅读量 5.6万次",
    "【字号:大 中 小】 打印本页 共3页",
    "来源:人民法院报 2020年12月3日 第3版",
    "京公网安备 11010502030776号",
]


def _check(text: str, expected: list[tuple]) -> None:
    got = find_quantities(text)
    assert [q.surface for q in got] == [e[0] for e in expected], [q.surface for q in got]
    for q, (surface, value, unit, kind, approx, direction, value_max) in zip(got, expected):
        assert text[q.char_start:q.char_end] == surface
        assert math.isclose(q.value, value, rel_tol=1e-6, abs_tol=1e-9), (surface, q.value)
        assert (q.unit, q.kind, q.approx, q.direction) == (unit, kind, approx, direction), surface
        if value_max is None:
            assert q.value_max is None, surface
        else:
            assert math.isclose(q.value_max, value_max, rel_tol=1e-6), (surface, q.value_max)


@pytest.mark.parametrize("text,expected", FORMS, ids=[t for t, _ in FORMS])
def test_number_forms(text, expected):
    _check(text, expected)


@pytest.mark.parametrize("text,expected", CHANGE, ids=[t for t, _ in CHANGE])
def test_kind_and_direction(text, expected):
    _check(text, expected)


@pytest.mark.parametrize("text,expected", RANKS, ids=[t for t, _ in RANKS])
def test_ranks(text, expected):
    _check(text, expected)


@pytest.mark.parametrize("text", NOT_FIGURES)
def test_not_figures(text):
    assert [q.surface for q in find_quantities(text)] == []


@pytest.mark.parametrize("text,low,high", [
    ("670万余元", 6.7e6, 6.71e6),
    ("670余万元", 6.7e6, 6.8e6),
    ("二十余人", 20, 30),
    ("750余名", 750, 760),
    ("300余万元", 3e6, 4e6),
    ("6万多件", 6e4, 7e4),
    ("超过100万港元", 1e6, None),
    ("近500平方米", None, 500),
    ("10至20件", 10, 20),
])
def test_bounds(text, low, high):
    (q,) = find_quantities(text)
    assert (q.value_low, q.value_high) == (low, high)


@pytest.mark.parametrize("text,baseline", [
    ("同比下降6.1个百分点", "同比"),
    ("较改革前提升12.3%", "较改革前"),
    ("比全省平均值(113.09天)少13.57天", "比全省平均值"),
    ("环比增长8.8%", "环比"),
    ("结案率达95.74%", None),
    ("是前五年的3.2倍", "前五年"),
    ("相当于去年同期的1.5倍", "去年同期"),
    ("增长5.6倍", None),
    ("年均上升10.9%", "年均"),
    ("平均每年增长8%", "年均"),
    ("比前五年上升40.2%", "比前五年"),
])
def test_baseline(text, baseline):
    assert find_quantities(text)[-1].baseline == baseline


@pytest.mark.parametrize("text,precision", [("2.98亿元", 2), ("431件", 0), ("1:1.104", 3), ("95.74%", 2)])
def test_precision(text, precision):
    assert find_quantities(text)[0].precision == precision


def test_quantities_stay_inside_the_span():
    text = "受理案件100件。结案90件。"
    assert [q.surface for q in find_quantities(text, 9, len(text))] == ["90件"]


def test_traditional_report_after_normalization():
    norm = normalize("二〇二〇年,本院受理案件1,234件,較去年減少12.5%,判處罰金港幣300萬元。")
    got = find_quantities(norm.text)
    assert [(q.surface, q.value, q.unit, q.kind, q.direction) for q in got] == [
        ("1,234件", 1234, "件", "count", None), ("12.5%", 12.5, "%", "change", "down"),
        ("港币300万元", 3e6, "港元", "amount", None)]


def test_traditional_characters_left_by_the_normalizer_still_match():
    text = "其中私營機構佔約六成,罰款港幣5萬元,較上年度減少18%,3萬8千餘人"
    got = find_quantities(text)
    assert [(q.surface, q.value, q.unit, q.kind, q.approx, q.direction) for q in got] == [
        ("約六成", 60, "%", "rate", "about", None), ("港幣5萬元", 50000, "港元", "amount", "exact", None),
        ("18%", 18, "%", "change", "exact", "down"), ("3萬8千餘人", 38000, "人", "count", "over", None)]
    assert all(text[q.char_start:q.char_end] == q.surface for q in got)


def test_extract_figures_surfaces_match_offsets():
    text = ("2020年,台州市中级人民法院打击“套路贷”案件431件,同比上升2.14%,位居全市第一。\n"
            "| 类别 | 收案(件) |\n| 刑事 | 59 225 |\n案-件比降至1:1.104,三分之一的干警参与,涉案670万余元。")
    sentences = [(0, text.index("\n")), (text.index("\n") + 1, len(text))]
    figures = extract_figures(text, sentences, DocContext(doc_id="d1"))
    assert len(figures) == 7
    for f in figures:
        assert text[f.char_start:f.char_end] == f.surface


# ---- unseen layouts: times in page chrome, HTML tables as text, Hong Kong baselines, tenths ---------------------

@pytest.mark.parametrize("text", [
    "发布时间:2023-01-12 10:30:15  来源:本院",
    "发布时间:2023-07-18 15:42:07",
    "2023-03-28 08:22",
    "1月12日 19:45 发布",
    "更新于 2022/05/06 23:59",
])
def test_clock_times_are_not_ratios(text):
    assert [q.surface for q in find_quantities(text)] == []


def test_ratios_still_read_next_to_a_date():
    got = find_quantities("2023年,案件比为1:1.08,员额检察官与辅助人员之比为1比1.2")
    assert [(q.surface, round(q.value, 3), q.kind) for q in got] == [("1:1.08", 1.08, "ratio"), ("1比1.2", 1.2, "ratio")]


# HTML tables reduced to text: the unit in the row label or the column header, the metric from the row label,
# the period from the column header; blank lines between rows, as the HTML normalizer leaves them.
TABLES = [
    ("指标 | 2021年 | 2022年\n\n收案(件) | 59 225 | 61 200\n\n结案率(%) | 95.1 | 96.2",
     [("59 225", 59225, "件", "count", "收案", "2021年"), ("61 200", 61200, "件", "count", "收案", "2022年"),
      ("95.1", 95.1, "%", "rate", "结案率", "2021年"), ("96.2", 96.2, "%", "rate", "结案率", "2022年")]),
    ("单位:件\n指标 | 2022年1-6月 | 2023年1-6月 | 同比(%)\n执行收案 | 41 230 | 44 875 | -5.4",
     [("41 230", 41230, "件", "count", "执行收案", "2022年1-6月"),
      ("44 875", 44875, "件", "count", "执行收案", "2023年1-6月"), ("-5.4", 5.4, "%", "change", "执行收案", None)]),
    ("年度 | 收案(件) | 结案率(%)\n2021年 | 1234 | 95.5",
     [("1234", 1234, "件", "count", "收案", "2021年"), ("95.5", 95.5, "%", "rate", "结案率", "2021年")]),
    ("法院 | 收案数(件)\n海曙区法院 | 3 456 |",
     [("3 456", 3456, "件", "count", "收案数", None)]),
]


@pytest.mark.parametrize("text,expected", TABLES, ids=[t.splitlines()[0] for t, _ in TABLES])
def test_table_cells_read_row_label_and_column_header(text, expected):
    got = find_quantities(text)
    assert [(q.surface, q.value, q.unit, q.kind, q.label_hint, q.period_hint) for q in got] == expected


@pytest.mark.parametrize("text,expected", [
    ("整体罪案共70,048宗,按年上升17.8%", [("70,048宗", None, None), ("17.8%", "up", "按年")]),
    ("开支按年比较增加2.1%", [("2.1%", "up", "按年比较")]),
    ("破案率较上年下跌6.9个百分点", [("6.9个百分点", "down", "较上年")]),
    ("盗窃案与去年同期相比减少5.3%", [("5.3%", "down", "与去年同期相比")]),
    ("罪案比上年同期下降3%", [("3%", "down", "比上年同期")]),
])
def test_hong_kong_baselines(text, expected):
    got = find_quantities(text)
    assert [(q.surface, q.direction, q.baseline) for q in got] == expected


@pytest.mark.parametrize("text,expected", [
    ("诉前程序整改率保持在九成五以上", [("九成五以上", 95, "%", "rate", O, None, None)]),
    ("认罪认罚案件占比超过八成", [("超过八成", 80, "%", "rate", O, None, None)]),
    ("111年全年,各地方法院终结民事事件共计1,234,567件",
     [("1,234,567件", 1234567, "件", "count", E, None, None)]),
    ("民国112年底,收容人数为5万5,826人", [("5万5,826人", 55826, "人", "count", E, None, None)]),
    ("审查起诉平均用时为18至25天", [("18至25天", 18, "天", "duration", E, None, 25)]),
])
def test_unseen_forms(text, expected):
    _check(text, expected)
