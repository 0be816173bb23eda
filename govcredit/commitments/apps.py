from django.apps import AppConfig

EVENT_TYPES = (
    ("commitments.project.create", "登记PPP项目", "PPP project registered"),
    ("commitments.project.stage", "PPP项目进入下一阶段", "PPP project moved to its next stage"),
    ("commitments.stage.start", "PPP项目阶段开始", "PPP project stage started"),
    ("commitments.stage.end", "PPP项目阶段结束", "PPP project stage ended"),
    ("commitments.duty.create", "登记PPP项目政府方义务", "PPP government duty registered"),
    ("commitments.duty.fulfil", "PPP项目政府方义务已履行", "PPP government duty fulfilled"),
    ("commitments.duty.breach", "PPP项目政府方义务违约", "PPP government duty breached"),
    ("commitments.promise.create", "登记招商引资承诺", "Investment promise registered"),
    ("commitments.promise.keep", "招商引资承诺已兑现", "Investment promise kept"),
    ("commitments.promise.change", "依法变更招商引资承诺", "Investment promise changed lawfully"),
    ("commitments.promise.amend", "承诺内容按变更决定更新", "Investment promise updated by a change"),
    ("commitments.promise.end", "依法解除招商引资承诺", "Investment promise ended lawfully"),
    ("commitments.promise.breach", "招商引资承诺违约", "Investment promise breached"),
    ("commitments.compensation.record", "登记对投资方的补偿", "Compensation to the investor recorded"),
    ("commitments.import.run", "导入PPP项目和招商引资承诺", "PPP projects and investment promises imported"),
)


class CommitmentsConfig(AppConfig):
    name = "govcredit.commitments"
    verbose_name = "PPP项目与招商引资承诺"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django.utils.translation import gettext_lazy as menu_label

        from govcredit.accounts import access
        from govcredit.api.common import register_router
        from govcredit.core.demo import DemoStep, register_demo_step
        from govcredit.core.home import register_home_tile
        from govcredit.core.jobs import FrequentJob, register_job
        from govcredit.core.menu import MenuItem, register_menu_item
        from govcredit.ledger.events import register_event_type
        from govcredit.ledger.readable import register_entity
        from govcredit.obligations.models import BreachCandidate
        from govcredit.subjects.panels import register_subject_panel

        from . import demo, panels
        from .receivers import candidate_saved

        post_save.connect(candidate_saved, sender=BreachCandidate, dispatch_uid="commitments.candidate_saved")

        for code, zh, en in EVENT_TYPES:
            register_event_type(code, zh, en)
        register_menu_item("commitments.projects", MenuItem(
            menu_label("PPP项目"), "commitments:project_list", lambda user: access.has(user, access.READ_COMMITMENTS), 44))
        register_menu_item("commitments.promises", MenuItem(
            menu_label("招商引资承诺"), "commitments:promise_list", lambda user: access.has(user, access.READ_COMMITMENTS),
            45))
        register_menu_item("commitments.import", MenuItem(
            menu_label("导入项目和承诺"), "commitments:import_page",
            lambda user: access.has(user, access.MANAGE_COMMITMENTS), 46))
        register_job(FrequentJob("PPP项目与承诺导入续跑", "govcredit.commitments.runs.resume_stalled", 1))
        register_subject_panel("commitments", panels.PANEL)
        register_home_tile("commitments", panels.HOME_TILE)
        register_router("/commitments", "govcredit.commitments.api.router")
        register_demo_step("commitments", DemoStep(660, "PPP项目与招商引资承诺", demo.build_demo))
        register_entity("commitments.pppproject", "PPP项目", "PPP project", url_name="commitments:project_detail")
        register_entity("commitments.promise", "招商引资承诺", "Investment promise", url_name="commitments:promise_detail")
        register_entity("commitments.duty", "PPP项目政府方义务", "PPP government duty", url_name="commitments:duty_detail")
        register_entity("commitments.projectstage", "PPP项目阶段", "PPP project stage")
        register_entity("commitments.promisechange", "承诺变更", "Change of a promise")
        register_entity("commitments.compensation", "对投资方的补偿", "Compensation to an investor")
        register_entity("commitments.commitmentimport", "PPP项目与承诺导入", "Import of PPP projects and promises")
