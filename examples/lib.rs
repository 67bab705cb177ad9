//! Small programs that embed the motcua engine; see the `[[example]]` targets of this package.
