"""Text in either of the product's languages, English and Chinese: which script a text is in (``script``), where
its sentences end (``sentences``), numbers written as Chinese numerals or English words (``numbers``) and the
language code everything downstream uses (``language``). One definition of each, shared by the answer analyzers,
the dialogue engine and the document readers."""
