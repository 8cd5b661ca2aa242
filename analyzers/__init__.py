"""Analyzers of the live interview: voice activity, speech recognition, face, posture and hands, voice prosody,
answer content; ``analyzers.documents`` reads resumes and job descriptions for recruiting."""
