# PostgreSQL from Debian's packages, for the image test where no registry serves postgres:17.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql \
    && rm -rf /var/lib/apt/lists/*
ENV PGDATA=/var/lib/postgresql/data
# Owned by postgres in the image, so a new named volume mounted here is too.
RUN install -d -o postgres -g postgres -m 700 "$PGDATA"
COPY postgres-start.sh /usr/local/bin/postgres-start
USER postgres
CMD ["postgres-start"]
