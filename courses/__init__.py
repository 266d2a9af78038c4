"""Course and rule definitions: pydantic schema and bundled TOML courses.

Imports nothing else of Trackside. ``load_course()`` gives the default course.
"""

from courses.errors import CourseError, CourseProblem
from courses.loader import bundled_courses, course_to_toml, load_course, parse_course_text
from courses.schema import Course, Infraction, PrizeTier, RoundRule, Segment

__all__ = [
    "Course",
    "CourseError",
    "CourseProblem",
    "Infraction",
    "PrizeTier",
    "RoundRule",
    "Segment",
    "bundled_courses",
    "course_to_toml",
    "load_course",
    "parse_course_text",
]
