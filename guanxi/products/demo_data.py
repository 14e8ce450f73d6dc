"""Demo data: ~60 products in a two-level category tree, and a price list per customer level."""

from __future__ import annotations

import decimal
from decimal import Decimal

from guanxi.demo.generator import DemoContext, register_demo_step

# (category zh, en, [(subcategory zh, en, [(name zh, name en, unit, list price, tax rate)])])
CATALOGUE = [
    (
        "软件",
        "Software",
        [
            (
                "CRM 系统",
                "CRM",
                [
                    ("关系云基础版", "Guanxi Cloud Basic", "套", "6800", "13"),
                    ("关系云标准版", "Guanxi Cloud Standard", "套", "12800", "13"),
                    ("关系云专业版", "Guanxi Cloud Pro", "套", "19800", "13"),
                    ("关系云企业版", "Guanxi Cloud Enterprise", "套", "49800", "13"),
                    ("移动端用户许可", "Mobile user licence", "用户/年", "480", "13"),
                    ("微信集成模块", "WeChat integration", "套", "8800", "13"),
                    ("钉钉集成模块", "DingTalk integration", "套", "6800", "13"),
                ],
            ),
            (
                "ERP 系统",
                "ERP",
                [
                    ("财务模块", "Finance module", "套", "36000", "13"),
                    ("进销存模块", "Inventory module", "套", "28000", "13"),
                    ("生产制造模块", "Manufacturing module", "套", "58000", "13"),
                    ("人力资源模块", "HR module", "套", "22000", "13"),
                    ("供应链协同模块", "Supply chain module", "套", "42000", "13"),
                    ("多组织扩展包", "Multi-entity pack", "套", "15000", "13"),
                ],
            ),
            (
                "数据分析",
                "Analytics",
                [
                    ("BI 分析平台", "BI platform", "套", "68000", "13"),
                    ("数据大屏", "Dashboard wall", "套", "18000", "13"),
                    ("报表设计器", "Report designer", "套", "9800", "13"),
                    ("数据仓库服务", "Data warehouse", "TB/年", "12000", "6"),
                    ("AI 销售预测", "AI sales forecast", "套/年", "24000", "6"),
                ],
            ),
        ],
    ),
    (
        "硬件",
        "Hardware",
        [
            (
                "服务器",
                "Servers",
                [
                    ("机架式服务器 2U", "Rack server 2U", "台", "32000", "13"),
                    ("塔式服务器", "Tower server", "台", "18500", "13"),
                    ("存储阵列 48TB", "Storage array 48TB", "台", "56000", "13"),
                    ("备份一体机", "Backup appliance", "台", "42000", "13"),
                    ("UPS 电源 10kVA", "UPS 10kVA", "台", "12800", "13"),
                ],
            ),
            (
                "网络设备",
                "Networking",
                [
                    ("千兆交换机 24 口", "24-port gigabit switch", "台", "3600", "13"),
                    ("万兆核心交换机", "10G core switch", "台", "28000", "13"),
                    ("企业级防火墙", "Enterprise firewall", "台", "19800", "13"),
                    ("无线 AP", "Wireless AP", "个", "980", "13"),
                    ("工业物联网网关", "IIoT gateway", "台", "4500", "13"),
                    ("5G 工业路由器", "5G industrial router", "台", "3200", "13"),
                ],
            ),
            (
                "终端",
                "Devices",
                [
                    ("手持 PDA", "Handheld PDA", "台", "2600", "13"),
                    ("条码打印机", "Barcode printer", "台", "1800", "13"),
                    ("扫码枪", "Barcode scanner", "把", "420", "13"),
                    ("触控一体机", "Touch terminal", "台", "5600", "13"),
                    ("电子价签", "Electronic shelf label", "个", "68", "13"),
                    ("智能门禁", "Smart access control", "套", "3800", "13"),
                ],
            ),
        ],
    ),
    (
        "服务",
        "Services",
        [
            (
                "实施服务",
                "Implementation",
                [
                    ("需求调研", "Requirements workshop", "人天", "2500", "6"),
                    ("系统实施", "System implementation", "人天", "2800", "6"),
                    ("数据迁移", "Data migration", "人天", "3000", "6"),
                    ("二次开发", "Custom development", "人天", "3200", "6"),
                    ("接口对接", "System integration", "个", "15000", "6"),
                    ("项目管理", "Project management", "人天", "3500", "6"),
                ],
            ),
            (
                "培训",
                "Training",
                [
                    ("管理员培训", "Administrator training", "天", "6000", "6"),
                    ("最终用户培训", "End-user training", "天", "4000", "6"),
                    ("线上培训课程", "Online course", "人", "800", "6"),
                    ("认证考试", "Certification exam", "人", "1200", "6"),
                ],
            ),
            (
                "运维支持",
                "Support",
                [
                    ("标准运维服务", "Standard support", "年", "18000", "6"),
                    ("高级运维服务 7×24", "Premium support 24/7", "年", "48000", "6"),
                    ("驻场服务", "On-site engineer", "人月", "26000", "6"),
                    ("巡检服务", "Health check", "次", "3000", "6"),
                    ("安全等保测评", "MLPS assessment", "次", "38000", "6"),
                ],
            ),
        ],
    ),
    (
        "云资源",
        "Cloud",
        [
            (
                "云主机",
                "Cloud servers",
                [
                    ("云主机 4核8G", "Cloud VM 4C8G", "台/年", "4200", "6"),
                    ("云主机 8核16G", "Cloud VM 8C16G", "台/年", "8400", "6"),
                    ("GPU 云主机", "GPU cloud VM", "台/月", "9800", "6"),
                ],
            ),
            (
                "存储与带宽",
                "Storage and bandwidth",
                [
                    ("对象存储 1TB", "Object storage 1TB", "TB/年", "1500", "6"),
                    ("CDN 流量包 10TB", "CDN 10TB", "个", "2000", "6"),
                    ("专线带宽 100M", "Leased line 100M", "条/年", "36000", "6"),
                    ("云数据库 RDS", "Managed database", "套/年", "12000", "6"),
                    ("短信包 10 万条", "SMS pack 100k", "个", "4500", "6"),
                ],
            ),
        ],
    ),
]
# level: (name, share of the list price)
LEVEL_PRICES = {"A": ("A级客户价", Decimal("0.85")), "B": ("B级客户价", Decimal("0.90")),
                "C": ("C级客户价", Decimal("0.95")), "D": ("D级客户价", Decimal("1.00"))}  # fmt: skip


def load_products(ctx: DemoContext) -> int:
    from guanxi.framework.money import Money
    from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory

    if Product.objects.exists():
        return 0
    owner = ctx.users.get("admin")
    created = 0
    products: list[Product] = []
    seq = 0
    for top_order, (zh, en, subs) in enumerate(CATALOGUE):
        top = ProductCategory.objects.create(name=zh, name_en=en, sort_order=top_order)
        created += 1
        for sub_order, (sub_zh, sub_en, items) in enumerate(subs):
            sub = ProductCategory.objects.create(
                name=sub_zh, name_en=sub_en, parent=top, sort_order=sub_order
            )
            created += 1
            for name, name_en, unit, price, tax in items:
                seq += 1
                products.append(
                    Product.objects.create(
                        sku=f"{en[:3].upper()}-{seq:03d}",
                        name=name,
                        name_en=name_en,
                        category=sub,
                        unit=unit,
                        list_price_amount=Decimal(price),
                        tax_rate=Decimal(tax),
                        is_active=ctx.rng.random() > 0.04,
                        owner=owner,
                    )
                )
    created += len(products)
    for level, (name, share) in LEVEL_PRICES.items():
        price_list = PriceList.objects.create(name=name, currency="CNY", customer_level=level, owner=owner)
        created += 1
        for product in products:
            level_price = Money((product.list_price_amount or decimal.Decimal(0)) * share, "CNY")
            PriceListItem.objects.create(
                price_list=price_list, product=product, price_amount=level_price.amount
            )
            created += 1
    return created


register_demo_step("products", load_products, order=55)
