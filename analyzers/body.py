"""Upper-body posture and hand movement: plain measurements of observable behaviour (BRIEF section 4).

* :class:`PoseAnalyzer` ("pose", 2 fps): whether the candidate's upper body is in the picture, the tilt of the
  shoulder line, a lean estimate (forward/back from how wide the shoulders appear compared with the candidate's own
  start of the interview), and a "left_frame" proctoring flag when no upper body is seen for a while.
* :class:`HandsAnalyzer` ("hands", 2 fps): how many hands are visible and how much they move between samples.

Nothing here is read as confidence, nervousness or any other inner state; the flag is evidence for a human.
Models: MediaPipe Pose Landmarker (full) and Hand Landmarker, one landmarker per interview in VIDEO mode
(model files: :mod:`analyzers.vision_models`).

Picture coordinates: x to the right, y down; angles are counter-clockwise positive as seen in the picture.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np

from analyzers.observation import Flag, Observation
from analyzers.vision_models import (
    EpisodeTracker,
    LandmarkerAnalyzer,
    create_video_landmarker,
)

__all__ = ["HandsAnalyzer", "HandsConfig", "PoseAnalyzer", "PoseConfig"]

# Pose landmark indices (BlazePose 33 points).
_NOSE, _L_SHOULDER, _R_SHOULDER = 0, 11, 12
_HAND_POINTS = (15, 16, 17, 18, 19, 20, 21, 22)  # wrists, pinkies, index fingers, thumbs


# ----------------------------------------------------------------------------------------------------- posture


@dataclass(frozen=True)
class PoseConfig:
    left_frame_after_s: float = 3.0  # flag "left_frame" when no upper body for longer than this
    shoulder_visibility: float = 0.5  # landmark visibility at/above which a shoulder counts as seen
    hand_visibility: float = 0.3  # a wrist/finger point at/above this (inside the picture): a hand may be in view
    baseline_samples: int = 10  # in-frame samples whose median shoulder width is the candidate's own baseline
    lean_forward_ratio: float = 1.12  # shoulder width / baseline at/above this: "forward"
    lean_back_ratio: float = 0.90  # shoulder width / baseline at/below this: "back"
    min_pose_detection_confidence: float = 0.5
    min_pose_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5


class PoseAnalyzer(LandmarkerAnalyzer):
    """Upper-body posture of one interview.

    Values per sample: ``in_frame`` (a body with both shoulders seen), ``pose_present``, ``shoulder_tilt_deg``
    (angle of the line from the picture-left to the picture-right shoulder; > 0 when the picture-right shoulder
    is higher), ``shoulder_width`` (fraction of the picture width), ``shoulder_width_ratio`` (against the median
    of the first ``baseline_samples`` in-frame samples), ``lean`` ("forward" | "back" | "neutral" | None while the
    baseline is being collected), ``nose_ahead_of_shoulders_m`` (the model's metric depth of the nose in front of
    the shoulder midpoint; larger when the head comes forward), ``head_offset`` (nose to the side of the shoulder
    midpoint, in shoulder widths, > 0 towards picture-right).
    """

    name = "pose"
    default_fps = 2.0

    def __init__(self, config: PoseConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or PoseConfig()
        self._landmarker = create_video_landmarker(
            "pose_landmarker_full",
            num_poses=1,
            min_pose_detection_confidence=cfg.min_pose_detection_confidence,
            min_pose_presence_confidence=cfg.min_pose_presence_confidence,
            min_tracking_confidence=cfg.min_tracking_confidence,
        )
        self._left = EpisodeTracker("left_frame", cfg.left_frame_after_s, "no upper body in the picture")
        self._baseline_widths: list[float] = []
        self._baseline: float | None = None
        self._frames = 0
        self._in_frame = 0
        self._tilts: list[float] = []
        self._lean_counts = {"forward": 0, "back": 0, "neutral": 0}
        self._first_t: int | None = None
        self._last_t: int | None = None
        self._hands_in_view: bool | None = None

    def hands_in_view(self) -> bool | None:
        """At the last sample: whether a wrist or finger point of the body was seen inside the picture; None when no
        body was seen (then nothing is known about hands). The hands analyzer skips its model on False."""
        return self._hands_in_view

    def analyze(self, rgb: np.ndarray, t_ms: int) -> Observation:
        cfg = self.config
        h, w = rgb.shape[:2]
        result = self.detect(rgb, t_ms)
        self._frames += 1
        if self._first_t is None:
            self._first_t = t_ms
        self._last_t = t_ms
        poses = result.pose_landmarks or []
        self._hands_in_view = None if not poses else any(
            (p.visibility or 0.0) >= cfg.hand_visibility and 0.0 <= p.x <= 1.0 and 0.0 <= p.y <= 1.0
            for p in (poses[0][i] for i in _HAND_POINTS))
        values: dict[str, Any] = {
            "pose_present": bool(poses), "in_frame": False, "shoulder_tilt_deg": None, "shoulder_width": None,
            "shoulder_width_ratio": None, "lean": None, "nose_ahead_of_shoulders_m": None, "head_offset": None,
        }
        if poses:
            lms = poses[0]
            ls, rs, nose = lms[_L_SHOULDER], lms[_R_SHOULDER], lms[_NOSE]
            seen = all((p.visibility or 0.0) >= cfg.shoulder_visibility for p in (ls, rs))
            values["in_frame"] = seen
            if seen:
                # picture-left and picture-right shoulder, in pixels (y down)
                a, b = sorted(((ls.x * w, ls.y * h), (rs.x * w, rs.y * h)))
                dx, dy = b[0] - a[0], b[1] - a[1]
                tilt = math.degrees(math.atan2(-dy, dx))
                width_px = math.hypot(dx, dy)
                width = width_px / w
                values["shoulder_tilt_deg"] = round(tilt, 1)
                values["shoulder_width"] = round(width, 4)
                mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
                if width_px > 1e-6:
                    values["head_offset"] = round((nose.x * w - mid[0]) / width_px, 3)
                self._tilts.append(tilt)
                if self._baseline is None:
                    self._baseline_widths.append(width)
                    if len(self._baseline_widths) >= cfg.baseline_samples:
                        self._baseline = statistics.median(self._baseline_widths)
                if self._baseline:
                    ratio = width / self._baseline
                    values["shoulder_width_ratio"] = round(ratio, 3)
                    lean = ("forward" if ratio >= cfg.lean_forward_ratio
                            else "back" if ratio <= cfg.lean_back_ratio else "neutral")
                    values["lean"] = lean
                    self._lean_counts[lean] += 1
                world = result.pose_world_landmarks or []
                if world:
                    wl = world[0]
                    shoulder_z = (wl[_L_SHOULDER].z + wl[_R_SHOULDER].z) / 2.0
                    values["nose_ahead_of_shoulders_m"] = round(shoulder_z - wl[_NOSE].z, 3)
        if values["in_frame"]:
            self._in_frame += 1
        flags: list[Flag] = []
        flag = self._left.update(not values["in_frame"], t_ms)
        if flag is not None:
            flags.append(flag)
        return Observation(analyzer=self.name, t_ms=t_ms, values=values, flags=tuple(flags))

    def summary(self) -> dict[str, Any]:
        n = self._frames
        leaned = sum(self._lean_counts.values())
        return {
            "analyzer": self.name,
            "frames": n,
            "duration_ms": 0 if self._first_t is None else (self._last_t or 0) - self._first_t,
            "in_frame_share": round(self._in_frame / n, 3) if n else None,
            "shoulder_tilt_deg_median": round(statistics.median(self._tilts), 1) if self._tilts else None,
            "shoulder_width_baseline": None if self._baseline is None else round(self._baseline, 4),
            "lean_share": {k: round(v / leaned, 3) for k, v in self._lean_counts.items()} if leaned else None,
            "flags": self._left.episodes(),
            "config": asdict(self.config),
        }


# ------------------------------------------------------------------------------------------------------- hands


@dataclass(frozen=True)
class HandsConfig:
    num_hands: int = 2
    min_hand_detection_confidence: float = 0.5
    min_hand_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    max_gap_s: float = 2.0  # samples further apart than this are not compared for motion
    recheck_s: float = 5.0  # with a gate saying no hand is in view, the model still runs at least this often


class HandsAnalyzer(LandmarkerAnalyzer):
    """Hand visibility and movement of one interview.

    Values per sample: ``hands_visible`` (0-2), ``hands`` (per hand: the model's handedness label and the wrist
    position as picture fractions), ``gesture_activity``: the mean displacement of the 21 hand landmarks since the
    previous sample, in picture heights per second, averaged over hands seen in both samples (same handedness
    label); 0.0 with no hands, None for a hand that just appeared.

    ``gate`` (the session's :meth:`PoseAnalyzer.hands_in_view`): while the body model sees no wrist or finger in
    the picture (False) and the last sample found no hand, the hand model is not run and the sample counts as no
    hand (the usual interview frame shows head and shoulders; the palm detector would search every frame for
    nothing); it still runs every ``recheck_s`` and whenever the gate says yes or does not know (None).
    """

    name = "hands"
    default_fps = 2.0

    def __init__(self, config: HandsConfig | None = None, gate: Callable[[], bool | None] | None = None) -> None:
        super().__init__()
        self.config = cfg = config or HandsConfig()
        self._gate = gate
        self._model_t: int | None = None  # media time of the last sample the model ran on
        self.gated = 0  # samples answered without running the model
        self._landmarker = create_video_landmarker(
            "hand_landmarker",
            num_hands=cfg.num_hands,
            min_hand_detection_confidence=cfg.min_hand_detection_confidence,
            min_hand_presence_confidence=cfg.min_hand_presence_confidence,
            min_tracking_confidence=cfg.min_tracking_confidence,
        )
        self._prev: dict[str, np.ndarray] = {}
        self._prev_t: int | None = None
        self._frames = 0
        self._frames_with_hands = 0
        self._activity: list[float] = []
        self._first_t: int | None = None

    def _model_needed(self, t_ms: int) -> bool:
        if self._gate is None or self._prev or self._model_t is None:
            return True
        if t_ms - self._model_t >= self.config.recheck_s * 1000 or t_ms < self._model_t:
            return True
        return self._gate() is not False

    def analyze(self, rgb: np.ndarray, t_ms: int) -> Observation:
        h, w = rgb.shape[:2]
        if self._model_needed(t_ms):
            result = self.detect(rgb, t_ms)
            self._model_t = t_ms
            hands = result.hand_landmarks or []
        else:
            result, hands = None, []
            self.gated += 1
        self._frames += 1
        if self._first_t is None:
            self._first_t = t_ms
        labels = []
        for i in range(len(hands)):
            cats = result.handedness[i] if result.handedness and i < len(result.handedness) else []
            labels.append(cats[0].category_name if cats else f"hand{i}")
        current: dict[str, np.ndarray] = {}
        listed = []
        for label, lms in zip(labels, hands):
            # x in picture heights so that motion is isotropic
            pts = np.array([(p.x * w / h, p.y) for p in lms], dtype=np.float64)
            key = label if label not in current else f"{label}#{len(current)}"
            current[key] = pts
            listed.append({"handedness": label, "wrist": (round(lms[0].x, 4), round(lms[0].y, 4))})

        activity: float | None = 0.0 if not hands else None
        dt_s = None if self._prev_t is None else (t_ms - self._prev_t) / 1000.0
        if hands and dt_s is not None and 0 < dt_s <= self.config.max_gap_s:
            moves = [
                float(np.linalg.norm(pts - self._prev[k], axis=1).mean()) / dt_s
                for k, pts in current.items() if k in self._prev
            ]
            if moves:
                activity = float(np.mean(moves))
        self._prev, self._prev_t = current, t_ms
        if hands:
            self._frames_with_hands += 1
        if activity is not None:
            self._activity.append(activity)
        values = {
            "hands_visible": len(hands),
            "hands": listed,
            "gesture_activity": None if activity is None else round(activity, 4),
        }
        return Observation(analyzer=self.name, t_ms=t_ms, values=values)

    def summary(self) -> dict[str, Any]:
        n = self._frames
        return {
            "analyzer": self.name,
            "frames": n,
            "hands_visible_share": round(self._frames_with_hands / n, 3) if n else None,
            "gesture_activity_mean": round(float(np.mean(self._activity)), 4) if self._activity else None,
            "flags": [],
            "config": asdict(self.config),
        }
