"""Agencies from what the form says (issue 13): a receiving agency the
directory does not know is recorded, named in the acknowledgement and told
to the partnership manager, and corrected by replying AGENCIES."""
import email.utils
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from escbot_env import EscbotEnv, make_message  # noqa: E402
import forms_fixtures as F                       # noqa: E402

NOW = "2026-11-23T10:00:00Z"     # a Monday, in working hours
LATER = "2026-11-23T11:00:00Z"
RAISER = "casey.practitioner@telford.example.gov.uk"
MANAGER = "twsp.manager@telford.example.gov.uk"


def body(m):
    return m.get_body(("plain",)).get_content()


class Agencies(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="escbot-agencies-")
        self.env = EscbotEnv(self.tmp.name).start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def test_unknown_agency_is_reported_and_corrected_by_reply(self):
        env = self.env
        form = F.TWSP_INLINE.replace(
            "Receiving agency/team: West Mercia Police",
            "Receiving agency/team: Family Safeguarding Team (T&W); "
            "West Mercia Police")
        self.assertNotEqual(form, F.TWSP_INLINE)
        env.deliver(make_message(RAISER, "Escalation referral", form))
        env.run("run", "--once", now=NOW)

        [case] = env.cases(now=NOW)
        ref = case["ref"]
        self.assertEqual(case["raising_agency"], "tw-council")
        self.assertEqual(case["receiving_agencies"], ["west-mercia"])
        self.assertEqual(case["agencies"], ["tw-council", "west-mercia"])
        detail = env.case(ref, now=NOW)
        self.assertEqual(detail["raising_agency"], "tw-council")
        self.assertEqual(detail["receiving_agencies"], ["west-mercia"])
        self.assertEqual(detail["unresolved_agencies"],
                         ["Family Safeguarding Team (T&W)"])
        self.assertIn("agency-unresolved",
                      [e["kind"] for e in detail["events"]])

        # The acknowledgement: what was recognised, what was not, and how
        # to correct it.
        env.sink.wait_for(2)
        [ack] = env.sink.messages(rcpt=RAISER)
        text = body(ack).splitlines()
        self.assertIn("Agencies recognised: Telford & Wrekin Council "
                      "(raising); West Mercia Police", text)
        self.assertIn("Agencies not recognised: Family Safeguarding Team "
                      "(T&W)", text)
        self.assertIn("  AGENCIES: name; name", text)
        self.assertEqual(sum(ln.startswith("Agencies ") for ln in text), 2)
        # Who will be contacted: stage 3's people at the agencies
        # recognised (not the one that was not).
        [who] = [ln for ln in text if ln.startswith("This stage's people")]
        self.assertEqual(
            sorted(a for _, a in email.utils.getaddresses(
                [who.split(": ", 1)[1].replace("; ", ", ")])),
            ["hana.head@westmercia.example.police.uk",
             "teo.head@telford.example.gov.uk",
             "tia.lead@telford.example.gov.uk",
             "wes.lead@westmercia.example.police.uk"])

        # The partnership manager is told, with the case's reference.
        [told] = env.sink.messages(rcpt=MANAGER)
        self.assertEqual(told["Subject"], "[%s] Agency not recognised: "
                         "Family Safeguarding Team (T&W)" % ref)
        mtext = body(told).splitlines()
        self.assertIn("  Not recognised: Family Safeguarding Team (T&W)",
                      mtext)
        self.assertIn("  Recognised: Telford & Wrekin Council (raising); "
                      "West Mercia Police", mtext)
        self.assertIn("  Raised by: " + RAISER, mtext)
        # Beside them only the stage's people hear (the stage-start
        # email); nobody else is written to.
        others = [m["Subject"] for m in env.sink.messages()
                  if m["Message-ID"] not in (ack["Message-ID"],
                                             told["Message-ID"])]
        self.assertTrue(others, "no stage-start email")
        self.assertEqual([s for s in others if not s.startswith(
            "[%s] Stage 3 starts: " % ref)], [])

        # The raiser corrects it by reply.
        env.sink.clear()
        env.deliver(make_message(
            RAISER, "Re: [%s] Received: TWSP Resolution and Escalation "
            "Referral Form" % ref,
            "Agencies: West Mercia Police; Shropshire Community Health "
            "Trust (health visiting)\n\nCasey\n",
            headers={"In-Reply-To": ack["Message-ID"]}))
        env.run("run", "--once", now=LATER)
        detail = env.case(ref, now=LATER)
        self.assertEqual(detail["raising_agency"], "tw-council")
        self.assertEqual(detail["receiving_agencies"],
                         ["west-mercia", "shropcom"])
        self.assertEqual(detail["unresolved_agencies"], [])
        self.assertEqual(detail["agencies"],
                         ["tw-council", "west-mercia", "shropcom"])
        self.assertEqual([e["detail"] for e in detail["events"]
                          if e["kind"] == "agencies"],
                         ["West Mercia Police; Shropshire Community Health "
                          "Trust"])
        [confirm] = env.sink.wait_for(1, rcpt=RAISER)
        self.assertEqual(confirm["Subject"], "[%s] Agencies recorded" % ref)
        ctext = body(confirm).splitlines()
        self.assertIn("  Raising agency: Telford & Wrekin Council", ctext)
        self.assertIn("  Receiving agencies: West Mercia Police; Shropshire "
                      "Community Health Trust", ctext)
        self.assertFalse([ln for ln in ctext if "Not recognised" in ln])
        # Nothing left unknown: the manager is not told again.
        self.assertEqual(env.sink.messages(rcpt=MANAGER), [])
        text = env.run("case", ref, now=LATER).stdout
        self.assertRegex(text, r"(?m)^Raising +tw-council$")
        self.assertRegex(text, r"(?m)^Receiving +west-mercia, shropcom$")
        self.assertNotRegex(text, r"(?m)^Unresolved ")

    def test_the_partnership_manager_corrects_it(self):
        """The manager told of an unknown agency is in the case (escbot
        wrote to them) and may answer it with AGENCIES."""
        env = self.env
        env.deliver(make_message(RAISER, "Escalation referral",
                                 F.TWSP_INLINE.replace(
                                     "Receiving agency/team: West Mercia "
                                     "Police",
                                     "Receiving agency/team: YOT Telford")))
        env.run("run", "--once", now=NOW)
        [case] = env.cases(now=NOW)
        ref = case["ref"]
        self.assertEqual(case["receiving_agencies"], [])
        self.assertEqual(env.case(ref, now=NOW)["unresolved_agencies"],
                         ["YOT Telford"])
        [told] = env.sink.wait_for(1, rcpt=MANAGER)
        env.sink.clear()
        env.deliver(make_message(
            MANAGER, "RE: " + told["Subject"],
            "Agencies: Telford & Wrekin Youth Offending Team; West Mercia "
            "Police; Family Connect\n\nTWSP Partnership Manager\n",
            headers={"In-Reply-To": told["Message-ID"]}))
        env.run("run", "--once", now=LATER)
        detail = env.case(ref, now=LATER)
        # Family Connect is the raising agency's own name: not receiving.
        self.assertEqual(detail["raising_agency"], "tw-council")
        self.assertEqual(detail["receiving_agencies"],
                         ["tw-yot", "west-mercia"])
        self.assertEqual(detail["unresolved_agencies"], [])
        [confirm] = env.sink.wait_for(1, rcpt=MANAGER)
        self.assertIn("  Receiving agencies: Telford & Wrekin Youth "
                      "Offending Team; West Mercia Police",
                      body(confirm).splitlines())

    def test_a_later_form_adds_its_agencies(self):
        """A later form for the case naming another receiving agency adds
        it (never replacing the case's), and the current stage's people
        at that agency -- and only there -- are told."""
        env = self.env
        env.deliver(make_message(RAISER, "Escalation referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        [case] = env.cases(now=NOW)
        ref = case["ref"]
        self.assertEqual(case["receiving_agencies"], ["west-mercia"])
        [ack] = env.sink.wait_for(1, rcpt=RAISER)
        env.sink.wait_for(2)
        env.sink.clear()
        form = F.TWSP_INLINE.replace(
            "Receiving agency/team: West Mercia Police",
            "Receiving agency/team: West Mercia Police; Shrewsbury and "
            "Telford NHS Trust (maternity); Riverside Family Centre")
        self.assertNotEqual(form, F.TWSP_INLINE)
        env.deliver(make_message(
            RAISER, "RE: " + ack["Subject"], form,
            headers={"In-Reply-To": ack["Message-ID"]}))
        env.run("run", "--once", now=LATER)
        detail = env.case(ref, now=LATER)
        self.assertEqual(detail["raising_agency"], "tw-council")
        self.assertEqual(detail["receiving_agencies"],
                         ["west-mercia", "sath"])
        self.assertEqual(detail["agencies"],
                         ["tw-council", "west-mercia", "sath"])
        self.assertEqual(detail["unresolved_agencies"],
                         ["Riverside Family Centre"])
        self.assertEqual([e["detail"] for e in detail["events"]
                          if e["kind"] == "agencies"],
                         ["Shrewsbury and Telford NHS Trust"])
        # Stage 3's people at SaTH hear of it as its other agencies did;
        # the agencies already told are not written to again.
        # (one SMTP transaction per recipient: one copy each)
        joined = {m["Message-ID"]: m for m in env.sink.wait_for(5)
                  if m["Subject"].startswith("[%s] Stage 3 starts: " % ref)}
        self.assertEqual(len(joined), 1)
        joined = list(joined.values())
        self.assertEqual(
            sorted(a for _, a in email.utils.getaddresses(
                joined[0].get_all("To", []))),
            ["hol.head@sath.example.nhs.uk", "pat.safety@sath.example.nhs.uk"])
        self.assertIsNone(joined[0]["Cc"])
        # The name nobody knows goes to the partnership manager.
        [told] = env.sink.messages(rcpt=MANAGER)
        self.assertIn("Riverside Family Centre", told["Subject"])
        # The sender hears the form was added.
        [upd] = env.sink.messages(rcpt=RAISER)
        self.assertTrue(upd["Subject"].startswith("[%s] Added to the case"
                                                  % ref), upd["Subject"])
        self.assertEqual(len(env.sink.messages()), 4)

        # The same form again adds nothing and tells nobody again.
        env.sink.clear()
        env.deliver(make_message(
            RAISER, "RE: " + ack["Subject"], form,
            headers={"In-Reply-To": ack["Message-ID"]}))
        env.run("run", "--once", now="2026-11-23T12:00:00Z")
        detail = env.case(ref, now="2026-11-23T12:00:00Z")
        self.assertEqual(detail["receiving_agencies"],
                         ["west-mercia", "sath"])
        self.assertEqual(len([e for e in detail["events"]
                              if e["kind"] == "agencies"]), 1)
        [again] = env.sink.wait_for(1)
        self.assertEqual(again["To"], RAISER)

    def test_agencies_from_a_stranger_change_nothing(self):
        env = self.env
        env.deliver(make_message(RAISER, "Escalation referral",
                                 F.TWSP_INLINE))
        env.run("run", "--once", now=NOW)
        [case] = env.cases(now=NOW)
        env.deliver(make_message(
            "someone.else@telford.example.gov.uk",
            "Re: [%s] Received" % case["ref"],
            "AGENCIES: Wrekin Housing Trust\n"))
        env.run("run", "--once", now=LATER)
        detail = env.case(case["ref"], now=LATER)
        self.assertEqual(detail["receiving_agencies"], ["west-mercia"])
        self.assertEqual(detail["unresolved_agencies"], [])


if __name__ == "__main__":
    unittest.main()
