"""Face observation: presence, head pose, an estimate of looking at the screen, blinks, smile and brow movement.

Everything here is a plain measurement of observable behaviour for a human to read (BRIEF section 4). Nothing is
interpreted as an emotion, a trait or a state of mind: ``smile`` is the model's mouth-corner ("mouthSmile")
blendshape score, not happiness; ``brow_activity`` is how far the brows are raised or lowered, not worry.
Proctoring flags ("no_face", "second_face", "looking_away") are evidence for a human, never a decision.

Model: MediaPipe Face Landmarker (478 landmarks incl. iris, 52 blendshapes, facial transformation matrix), one
landmarker per interview in VIDEO mode following the candidate's face, and once a second its own face detector over
the whole picture to count faces ("second_face"; while there are several, a landmarker that measures them all, so
the candidate is the largest); see :mod:`analyzers.vision_models` for where the model file comes from.

Conventions for the values (camera coordinates: x to the right of the picture, y up, z towards the viewer):

* ``yaw_deg`` > 0: the face points to the right of the picture; ``pitch_deg`` > 0: the face points up;
  ``roll_deg`` > 0: the head is tilted counter-clockwise as seen in the picture. Yaw and pitch are measured
  against the line from the face to the camera, so a face off-centre that is turned to the camera reads ~0.
* ``gaze_offset``: where the irises sit between the eye corners, in eye widths from the centre (0 = centred,
  > 0 = towards the right of the picture; about 0.2 is a clear sideways look). ``gaze_offset_vertical`` is the
  iris distance from the corner line, in eye widths (> 0 = above); it is reported, not used for decisions.
* ``looking_at_screen`` is an estimate: head yaw/pitch within the configured limits and the irises not far to
  one side. A head turned one way with the eyes turned back can read as not looking.
* Blinks are counted at eye closure onsets in the sampled frames; at 5 fps short blinks (100-150 ms) are often
  missed, so ``blink_rate_per_min`` is a lower bound that depends on the sampling rate.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from analyzers.observation import Flag, Observation
from analyzers.vision_models import (
    EpisodeTracker,
    LandmarkerAnalyzer,
    VideoClock,
    create_video_face_detector,
    create_video_landmarker,
    mp_image_from_rgb,
)

__all__ = ["FaceAnalyzer", "FaceConfig", "head_angles"]

# Landmark indices of the 478-point face mesh (image-left eye is the subject's right eye).
_EYE_IMAGE_LEFT = {"corner_a": 33, "corner_b": 133, "iris": 468}
_EYE_IMAGE_RIGHT = {"corner_a": 362, "corner_b": 263, "iris": 473}


@dataclass(frozen=True)
class FaceConfig:
    """Thresholds of the face analyzer (all overridable per organisation)."""

    no_face_after_s: float = 3.0  # flag "no_face" when no face for longer than this
    looking_away_after_s: float = 5.0  # flag "looking_away" when not looking at the screen for longer than this
    second_face_after_s: float = 0.0  # flag "second_face" when 2+ faces for at least this long (0: at once)
    yaw_limit_deg: float = 25.0  # |yaw| above this: not looking at the screen
    pitch_limit_deg: float = 20.0  # |pitch - pitch_center_deg| above this: not looking at the screen
    pitch_center_deg: float = 0.0  # camera above/below the screen: shift the pitch window
    gaze_offset_limit: float = 0.2  # |gaze_offset| (eye widths) above this: eyes turned to one side
    blink_threshold: float = 0.5  # mean eyeBlink blendshape at/above which the eyes count as closed
    blink_window_s: float = 60.0  # rolling window for blink_rate_per_min
    blink_min_window_s: float = 10.0  # blink_rate_per_min is None until this much time has been seen
    # Smile share threshold on the mean mouthSmile blendshape. Measured: neutral closed-mouth faces score
    # 0.006 (Grace Hopper portrait, matplotlib sample data) and a median of 0.02 over the 89 faces the model finds
    # in skimage's LFW subset; the slightly smiling astronaut scores 0.90. 0.3 sits well clear of both.
    smile_threshold: float = 0.3
    num_faces: int = 1
    """Faces the landmarker follows and measures while no search finds more. One lets it track the face from frame
    to frame instead of running its detector on every frame to look for another (~2 ms a frame, a fifth of its
    cost); while the newest search (``face_search_fps``) counts more faces, a landmarker that measures them all
    takes over, so the candidate is still the largest face in the picture."""
    face_search_fps: float = 1.0
    """How often the whole picture is searched for faces with the landmarker's own detection model (~1.7 ms a
    search): ``face_count`` and the "second_face" flag come from the newest search (at most 1 s old at 1 fps; the
    first sample is always searched), so someone who crosses the picture in less than a second between two
    searches can go uncounted. 0: no search, the landmarker's ``num_faces`` alone counts."""
    min_face_detection_confidence: float = 0.5
    min_face_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5


def head_angles(matrix: np.ndarray) -> tuple[float, float, float]:
    """``(yaw, pitch, roll)`` in degrees from a 4x4 facial transformation matrix (canonical face -> camera).

    Yaw and pitch are the direction of the face's forward axis relative to the line from the face to the
    camera; roll is the angle of the face's horizontal axis in the picture. Signs: see the module docstring.
    """
    m = np.asarray(matrix, dtype=np.float64)
    rot, trans = m[:3, :3], m[:3, 3]
    fwd = rot[:, 2]  # where the nose points, camera coordinates (x right, y up, z towards the viewer)
    yaw = math.degrees(math.atan2(fwd[0], fwd[2]))
    pitch = math.degrees(math.atan2(fwd[1], fwd[2]))
    dist = float(np.linalg.norm(trans))
    if dist > 1e-6 and trans[2] < 0:
        to_cam = -trans / dist
        yaw -= math.degrees(math.atan2(to_cam[0], to_cam[2]))
        pitch -= math.degrees(math.atan2(to_cam[1], to_cam[2]))
    roll = math.degrees(math.atan2(rot[1, 0], rot[0, 0]))
    return yaw, pitch, roll


def _iris_offsets(points: dict[int, np.ndarray], eye: dict[str, int]) -> tuple[float, float]:
    """Iris position in one eye (pixel coordinates): (along the corner line - 0.5, off the line upwards),
    both in eye widths."""
    a, b, iris = points[eye["corner_a"]], points[eye["corner_b"]], points[eye["iris"]]
    axis = b - a
    width2 = float(axis @ axis)
    if width2 <= 1e-9:
        return 0.0, 0.0
    rel = iris - a
    along = float(rel @ axis) / width2
    perp = float(axis[0] * rel[1] - axis[1] * rel[0]) / width2  # image y points down: > 0 below the line
    return along - 0.5, -perp


class FaceAnalyzer(LandmarkerAnalyzer):
    """Face observation for one interview (create one per interview; ``close()`` at the end)."""

    name = "face"
    default_fps = 5.0

    def __init__(self, config: FaceConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or FaceConfig()
        self._landmarker: Any = self._new_landmarker(cfg.num_faces)
        self._crowd: Any = None  # a landmarker that measures every face, made when a search first finds two
        self._crowd_clock = VideoClock()
        try:
            self._detector: Any = (create_video_face_detector(
                min_detection_confidence=cfg.min_face_detection_confidence) if cfg.face_search_fps > 0 else None)
        except BaseException:
            self.close()
            raise
        self._detector_clock = VideoClock()
        self._searched_at: int | None = None
        self._searched_count = 0
        self._no_face = EpisodeTracker("no_face", cfg.no_face_after_s, "no face in the picture")
        self._second_face = EpisodeTracker("second_face", cfg.second_face_after_s, "more than one face")
        self._looking_away = EpisodeTracker("looking_away", cfg.looking_away_after_s,
                                            "not looking at the screen (head pose / gaze estimate)")
        self._blinks: deque[int] = deque()
        self._eyes_closed = False
        self._first_t: int | None = None
        self._prev_t: int | None = None
        # session aggregates
        self._frames = 0
        self._face_frames = 0
        self._looking_frames = 0
        self._smile_frames = 0
        self._smile_sum = 0.0
        self._brow_sum = 0.0
        self._blink_total = 0
        self._face_time_ms = 0.0
        self._max_faces = 0
        self.last_model_ms = 0.0

    # ------------------------------------------------------------------------------------------------ analysis

    def analyze(self, rgb: np.ndarray, t_ms: int) -> Observation:
        cfg = self.config
        h, w = rgb.shape[:2]
        image = mp_image_from_rgb(rgb)
        searched = self._search(image, t_ms)
        result = self._measure(image, t_ms, searched)
        faces = result.face_landmarks or []
        count = len(faces) if searched is None or not faces else max(len(faces), searched)
        if self._first_t is None:
            self._first_t = t_ms
        dt = 0 if self._prev_t is None else max(0, t_ms - self._prev_t)
        self._prev_t = t_ms
        self._frames += 1
        self._max_faces = max(self._max_faces, count)

        values: dict[str, Any] = {"face_present": count > 0, "face_count": count}
        if count:
            values.update(self._face_values(result, faces, w, h))
            self._face_frames += 1
            self._face_time_ms += min(dt, 1000)
        else:
            values.update(
                yaw_deg=None, pitch_deg=None, roll_deg=None, head_distance_cm=None, face_box=None,
                gaze_offset=None, gaze_offset_vertical=None, looking_at_screen=False,
                eye_blink_left=None, eye_blink_right=None, eyes_closed=None, blink=False,
                smile=None, smiling=None, brow_inner_up=None, brow_down=None, brow_outer_up=None,
                brow_activity=None,
            )
            self._eyes_closed = False

        # blinks: onsets of eye closure
        if values["blink"]:
            self._blinks.append(t_ms)
            self._blink_total += 1
        window_ms = cfg.blink_window_s * 1000.0
        while self._blinks and self._blinks[0] < t_ms - window_ms:
            self._blinks.popleft()
        covered_ms = min(window_ms, t_ms - self._first_t)
        values["blink_rate_per_min"] = (
            round(len(self._blinks) * 60000.0 / covered_ms, 2)
            if covered_ms >= cfg.blink_min_window_s * 1000.0 else None
        )

        if values["looking_at_screen"]:
            self._looking_frames += 1
        if values["smiling"]:
            self._smile_frames += 1

        flags: list[Flag] = []
        for tracker, active in (
            (self._no_face, count == 0),
            (self._second_face, count >= 2),
            (self._looking_away, count > 0 and not values["looking_at_screen"]),
        ):
            flag = tracker.update(active, t_ms)
            if flag is not None:
                flags.append(flag)
        # While there is no face, "looking away" neither starts nor ends: "no_face" covers that time.
        return Observation(analyzer=self.name, t_ms=t_ms, values=values, flags=tuple(flags))

    def _new_landmarker(self, faces: int) -> Any:
        cfg = self.config
        return create_video_landmarker(
            "face_landmarker",
            num_faces=faces,
            min_face_detection_confidence=cfg.min_face_detection_confidence,
            min_face_presence_confidence=cfg.min_face_presence_confidence,
            min_tracking_confidence=cfg.min_tracking_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )

    def _search(self, image: Any, t_ms: int) -> int | None:
        """Faces the newest search of the whole picture found (searching now when one is due; the first sample
        always is); None when searches are off."""
        if self._detector is None:
            return None
        interval_ms = 1000.0 / self.config.face_search_fps
        if self._searched_at is None or t_ms - self._searched_at >= interval_ms or t_ms < self._searched_at:
            found = self._detector.detect_for_video(image, self._detector_clock(t_ms))
            self._searched_at, self._searched_count = t_ms, len(found.detections)
        return self._searched_count

    def _measure(self, image: Any, t_ms: int, searched: int | None) -> Any:
        """The landmarker's result for this frame: the one following one face, or, while the newest search counts
        more faces than it follows, one that measures them all, so the candidate is still the largest face (the
        first is not swapped for a larger one that came later)."""
        if searched is None or searched <= self.config.num_faces:
            return self.detect_image(image, t_ms)
        if self._crowd is None:
            self._crowd = self._new_landmarker(max(2, searched))
        return self._crowd.detect_for_video(image, self._crowd_clock(t_ms))

    def close(self) -> None:
        for name in ("_detector", "_crowd"):
            task = getattr(self, name, None)
            setattr(self, name, None)
            if task is not None:
                task.close()
        super().close()

    def _face_values(self, result: Any, faces: list[Any], w: int, h: int) -> dict[str, Any]:
        cfg = self.config
        # The candidate is the largest face in the picture.
        def box(face_lms: list[Any]) -> tuple[float, float, float, float]:
            xs = [p.x for p in face_lms]
            ys = [p.y for p in face_lms]
            return min(xs), min(ys), max(xs), max(ys)

        boxes = [box(f) for f in faces]
        i = 0 if len(boxes) == 1 else int(np.argmax([(b[2] - b[0]) * (b[3] - b[1]) for b in boxes]))
        lms = faces[i]

        yaw = pitch = roll = dist_cm = None
        matrices = result.facial_transformation_matrixes or []
        if i < len(matrices):
            m = np.asarray(matrices[i], dtype=np.float64)
            yaw, pitch, roll = head_angles(m)
            dist_cm = float(np.linalg.norm(m[:3, 3]))

        gaze = gaze_v = None
        if len(lms) > 473:
            pts = {k: np.array((lms[k].x * w, lms[k].y * h)) for k in (33, 133, 468, 362, 263, 473)}
            offs = [_iris_offsets(pts, _EYE_IMAGE_LEFT), _iris_offsets(pts, _EYE_IMAGE_RIGHT)]
            gaze = float(np.mean([o[0] for o in offs]))
            gaze_v = float(np.mean([o[1] for o in offs]))

        bs: dict[str, float] = {}
        shapes = result.face_blendshapes or []
        if i < len(shapes):
            bs = {c.category_name: float(c.score) for c in shapes[i]}

        def pair(a: str, b: str) -> float | None:
            if a in bs and b in bs:
                return (bs[a] + bs[b]) / 2.0
            return None

        blink_l, blink_r = bs.get("eyeBlinkLeft"), bs.get("eyeBlinkRight")
        eyes_closed = None
        blink = False
        if blink_l is not None and blink_r is not None:
            eyes_closed = (blink_l + blink_r) / 2.0 >= cfg.blink_threshold
            blink = eyes_closed and not self._eyes_closed
            self._eyes_closed = eyes_closed
        smile = pair("mouthSmileLeft", "mouthSmileRight")
        brow_inner = bs.get("browInnerUp")
        brow_down = pair("browDownLeft", "browDownRight")
        brow_outer = pair("browOuterUpLeft", "browOuterUpRight")
        brow_parts = [v for v in (brow_inner, brow_down, brow_outer) if v is not None]
        brow_activity = max(brow_parts) if brow_parts else None

        head_ok = (
            yaw is not None and pitch is not None
            and abs(yaw) <= cfg.yaw_limit_deg
            and abs(pitch - cfg.pitch_center_deg) <= cfg.pitch_limit_deg
        )
        eyes_ok = gaze is None or abs(gaze) <= cfg.gaze_offset_limit
        looking = bool(head_ok and eyes_ok and not eyes_closed)

        if smile is not None:
            self._smile_sum += smile
        if brow_activity is not None:
            self._brow_sum += brow_activity

        def r(v: float | None, nd: int = 3) -> float | None:
            return None if v is None else round(v, nd)

        return {
            "yaw_deg": r(yaw, 1),
            "pitch_deg": r(pitch, 1),
            "roll_deg": r(roll, 1),
            "head_distance_cm": r(dist_cm, 1),
            "face_box": tuple(round(v, 4) for v in boxes[i]),
            "gaze_offset": r(gaze),
            "gaze_offset_vertical": r(gaze_v),
            "looking_at_screen": looking,
            "eye_blink_left": r(blink_l),
            "eye_blink_right": r(blink_r),
            "eyes_closed": eyes_closed,
            "blink": blink,
            "smile": r(smile),
            "smiling": None if smile is None else smile >= cfg.smile_threshold,
            "brow_inner_up": r(brow_inner),
            "brow_down": r(brow_down),
            "brow_outer_up": r(brow_outer),
            "brow_activity": r(brow_activity),
        }

    # ------------------------------------------------------------------------------------------------ summary

    def summary(self) -> dict[str, Any]:
        """Per-session aggregates (shares are of analysed frames; smile/brow means are over face frames)."""
        n, nf = self._frames, self._face_frames
        face_min = self._face_time_ms / 60000.0
        flags = sorted(
            self._no_face.episodes() + self._second_face.episodes() + self._looking_away.episodes(),
            key=lambda e: e["since_ms"],
        )
        return {
            "analyzer": self.name,
            "frames": n,
            "duration_ms": 0 if self._first_t is None or self._prev_t is None else self._prev_t - self._first_t,
            "face_present_share": round(nf / n, 3) if n else None,
            "looking_at_screen_share": round(self._looking_frames / n, 3) if n else None,
            "max_face_count": self._max_faces,
            "blinks": self._blink_total,
            "blink_rate_per_min_mean": round(self._blink_total / face_min, 2) if face_min > 0 else None,
            "smile_share": round(self._smile_frames / nf, 3) if nf else None,
            "smile_mean": round(self._smile_sum / nf, 3) if nf else None,
            "brow_activity_mean": round(self._brow_sum / nf, 3) if nf else None,
            "flags": flags,
            "config": asdict(self.config),
        }
